"""The lineage of an invoice's receivable across the supply chain's tiers: its pieces as a tree,
each under the piece it was split from (a financed piece's reserve under the financed piece), laid
out for an inline SVG. Leaves take successive columns and a parent sits centred over its
children, so branches never cross; the depth of a piece is its tier."""

from collections import defaultdict
from dataclasses import dataclass

from invoices.models import Piece

NODE_WIDTH = 200
NODE_HEIGHT = 82
GAP_X = 20
GAP_Y = 46
MARGIN = 8


@dataclass
class Node:
    piece: Piece
    x: int
    y: int


@dataclass
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def middle_y(self) -> int:
        return (self.y1 + self.y2) // 2


@dataclass
class Lineage:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int
    node_width: int = NODE_WIDTH
    node_height: int = NODE_HEIGHT


def _place(roots: list[Piece], children: dict[int, list[Piece]]) -> dict[int, tuple[float, int]]:
    """Piece index -> (column, depth), without recursion: a split chain can be long."""
    placed: dict[int, tuple[float, int]] = {}
    next_column = 0
    stack = [(root, 0, False) for root in reversed(roots)]
    while stack:
        piece, depth, children_placed = stack.pop()
        kids = children.get(piece.index, [])
        if kids and not children_placed:
            stack.append((piece, depth, True))
            stack.extend((kid, depth + 1, False) for kid in reversed(kids))
        elif kids:
            placed[piece.index] = ((placed[kids[0].index][0] + placed[kids[-1].index][0]) / 2, depth)
        else:
            placed[piece.index] = (next_column, depth)
            next_column += 1
    return placed


def lineage(pieces: list[Piece]) -> Lineage:
    by_index = {piece.index: piece for piece in pieces}
    children: dict[int, list[Piece]] = defaultdict(list)
    roots = []
    for piece in sorted(pieces, key=lambda piece: piece.index):
        if piece.parent_index is None or piece.parent_index not in by_index:
            roots.append(piece)
        else:
            children[piece.parent_index].append(piece)
    placed = _place(roots, children)
    nodes = {
        index: Node(
            piece=by_index[index],
            x=MARGIN + round(column * (NODE_WIDTH + GAP_X)),
            y=MARGIN + depth * (NODE_HEIGHT + GAP_Y),
        )
        for index, (column, depth) in placed.items()
    }
    edges = [
        Edge(
            x1=nodes[parent].x + NODE_WIDTH // 2, y1=nodes[parent].y + NODE_HEIGHT,
            x2=nodes[kid.index].x + NODE_WIDTH // 2, y2=nodes[kid.index].y,
        )
        for parent, kids in children.items()
        for kid in kids
    ]
    columns = max((column for column, _depth in placed.values()), default=0) + 1
    depths = max((depth for _column, depth in placed.values()), default=0) + 1
    return Lineage(
        nodes=[nodes[index] for index in sorted(nodes)],
        edges=edges,
        width=round(2 * MARGIN + columns * NODE_WIDTH + (columns - 1) * GAP_X),
        height=2 * MARGIN + depths * NODE_HEIGHT + (depths - 1) * GAP_Y,
    )
