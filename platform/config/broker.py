"""The broker that needs no server: kombu's filesystem transport, with one fix. The stock transport
creates a message file and then writes into it, so a consumer polling the folder can take an empty
or half-written file; the JSONDecodeError that follows stops the worker ("Unrecoverable error").
Here a message is written under a hidden name and renamed into place, which is atomic."""

import os
import uuid
from time import monotonic

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        hidden = os.path.join(self.data_folder_out, f".{name}.part")
        with open(hidden, "wb") as handle:
            handle.write(str_to_bytes(dumps(payload)))
        os.replace(hidden, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel
