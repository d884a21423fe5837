"""What the role folders' pages share, one floor below them: form plumbing (a service's refusal
next to its field, run_service), form fields, the invoice search, paging, the on-chain actions
behind a page (tracking) and recent activity in words, the dashboards' attention lists, document
downloads, and the settlement currencies with amounts as the pages show them. The role folders
(accounts, supplier, core_firm, lender, operator) import from here, never from each other; the
kit imports no role folder."""
