"""Saved printer profiles: what `fiszki calibrate` measured for one printer, kept by name.

`fiszki printer save NAME --back-offset X,Y [--paper …] [--orientation …] [--flip …]` writes
them to printers.toml in the user's config folder ($XDG_CONFIG_HOME/fiszki, else
~/.config/fiszki); `fiszki build --printer NAME` uses them. Their values sit between the deck's
front matter and the command line: defaults < front matter < profile < command line.

The file is plain TOML, written here by hand (one flat table of strings per printer, nothing
TOML needs more than quoting for) and read with tomllib, so it may be edited by hand too:

    [printers.office]
    back_offset = "1.5,-0.5"
    flip = "long"
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from builder.errors import UsageError
from builder.files import atomic_write
from builder.options import PROFILE_KEYS, check_values

# The offset first: it is what a profile is for.
PROFILE_ORDER = sorted(PROFILE_KEYS, key=lambda key: key != "back_offset")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_BARE_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")
HEADER = ("# fiszki printer profiles: `fiszki printer save NAME --back-offset X,Y`, used by\n"
          "# `fiszki build --printer NAME`. Values are defaults between the deck and the command line.\n")


def config_path() -> Path:
    """printers.toml under $XDG_CONFIG_HOME (only an absolute path counts, as the XDG spec says)
    or ~/.config."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "fiszki" / "printers.toml"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    return key if _BARE_KEY_RE.fullmatch(key) else toml_string(key)


def dump(profiles: dict[str, dict[str, str]]) -> str:
    """The whole file: a header, then one [printers.NAME] table per printer, in name order."""
    parts = [HEADER]
    for name in sorted(profiles):
        lines = [f"[printers.{toml_key(name)}]"]
        lines += [f"{toml_key(k)} = {toml_string(v)}" for k, v in profiles[name].items()]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def read_profiles(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Every saved profile; none when the file does not exist. A broken file is a usage error
    that names it (and TOML's line and column), never a traceback."""
    path = path or config_path()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        raise UsageError("printer profiles need Python 3.11 or newer (tomllib)") from None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the printer profiles: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix it or delete it and save the printers again") from None
    printers = data.get("printers", {})
    if not isinstance(printers, dict) or not all(isinstance(p, dict) for p in printers.values()):
        raise UsageError(f"{path}: expected [printers.NAME] tables of settings; fix it or delete it")
    return {name: {k: str(v) for k, v in values.items()} for name, values in printers.items()}


def load_profile(name: str, path: Path | None = None) -> dict[str, object]:
    """The options of printer `name`, checked; a missing name says which ones exist."""
    path = path or config_path()
    profiles = read_profiles(path)
    if name not in profiles:
        saved = ", ".join(sorted(profiles)) if profiles else "none yet"
        raise UsageError(f"--printer: no printer named {name!r} in {path} (saved: {saved}); measure one "
                         "with `fiszki calibrate` and save it with `fiszki printer save NAME --back-offset X,Y`")
    return check_values(profiles[name], f"printer {name!r} in {path}", PROFILE_KEYS)


def profile_of(cli: dict[str, object]) -> dict[str, object]:
    """The checked values of the profile the command line names (--printer), if any."""
    return load_profile(str(cli["printer"])) if cli.get("printer") else {}


def normalise(values: dict[str, object]) -> dict[str, str]:
    """Values as they are written to the file: the offset in mm, names in lower case."""
    from builder.geometry import MM, parse_offset

    out = {}
    for key in PROFILE_ORDER:
        value = values.get(key)
        if value is None:
            continue
        if key == "back_offset":
            dx, dy = parse_offset(str(value))
            value = f"{round(dx / MM, 3) + 0.0:g},{round(dy / MM, 3) + 0.0:g}"
        out[key] = str(value).strip().lower()
    return out


def save_profile(name: str, values: dict[str, object], path: Path | None = None) -> bool:
    """Save (or replace) printer `name`; True if it replaced one. Written atomically."""
    if not _NAME_RE.match(name):
        raise UsageError(f"printer name {name!r}: use letters, digits, '-' and '_' (at most 40), "
                         "starting with a letter or digit")
    path = path or config_path()
    given = {k: v for k, v in values.items() if v is not None}
    check_values(given, f"printer {name!r}", PROFILE_KEYS)
    profiles = read_profiles(path)
    replaced = name in profiles
    profiles[name] = normalise(given)
    try:
        atomic_write(path, dump(profiles).encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return replaced


def remove_profile(name: str, path: Path | None = None) -> None:
    path = path or config_path()
    profiles = read_profiles(path)
    if name not in profiles:
        raise UsageError(f"no printer named {name!r} in {path}")
    del profiles[name]
    try:
        atomic_write(path, dump(profiles).encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def describe(values: dict[str, str]) -> str:
    """'back offset 1.5,-0.5 mm · paper a4 · flip long' for `fiszki printer list`."""
    words = []
    for key in PROFILE_ORDER:
        if key in values:
            value = values[key] + (" mm" if key == "back_offset" else "")
            words.append(f"{key.replace('_', ' ')} {value}")
    return " · ".join(words) or "no settings"
