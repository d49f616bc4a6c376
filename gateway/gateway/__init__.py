"""tiepdan API gateway: tokens, permissions, and routing to the services with a signed identity.

Keep this file free of anything the package needs at run time. From the
repository root, ``gateway/`` (the project folder) is found on ``sys.path``
first and imported as a namespace package, so this ``__init__`` is then not
executed; the submodules still load (through the editable install's finder).
"""

from .version import __version__

__all__ = ["__version__"]
