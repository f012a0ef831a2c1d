"""The script run *inside* a target interpreter to describe it (stdlib only, Python 3.6+).

It must run on every Python a project may target, so it imports nothing but the standard
library and uses no syntax newer than 3.6. It prints one JSON object; `interpreter.py`
turns it into an `Interpreter`.
"""

SOURCE = r"""
import json, os, platform, sys, sysconfig

def impl_version(info):
    version = "{0.major}.{0.minor}.{0.micro}".format(info)
    kind = info.releaselevel
    if kind != "final":
        version += kind[0] + str(info.serial)
    return version

name = sys.implementation.name
markers = {
    "implementation_name": name,
    "implementation_version": impl_version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
config = sysconfig.get_config_vars()
print(json.dumps({
    "executable": sys.executable,
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "version": list(sys.version_info[:3]),
    "markers": markers,
    "paths": sysconfig.get_paths(),
    "soabi": config.get("SOABI") or "",
    "ext_suffix": config.get("EXT_SUFFIX") or "",
    "debug": bool(config.get("Py_DEBUG")),
    "free_threaded": bool(config.get("Py_GIL_DISABLED")),
    "pointer_bits": 64 if sys.maxsize > 2 ** 32 else 32,
}))
"""
