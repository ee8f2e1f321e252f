"""Runs inside every graded kernel, before any student code: the genuine check and its guard.

The grader (``grading_plugin``) starts each kernel with ``install(KEY_FILE)`` as its first line
(after NumPy, nnlib.checking and the assignment's check modules are imported) and, once the
kernel is up, sends ``sys.audit("nncourse.seal")``. From then on:

* **the check runs inside an audit hook.** A graded check cell is one call,
  ``sys.audit("nncourse.check", nonce, exercise, payload, tag, out)``. ``sys.addaudithook``
  hooks cannot be removed or listed from Python, so the function that runs the check, the
  registry of check functions captured at start-up, the snapshot of NumPy and nnlib and the
  key are reachable from no namespace, module, or object a student can name. The payload (the
  canonical check cell, hidden tests included) is encrypted and authenticated with the per-kernel
  key, which the grader wrote to a file this function reads and deletes before any student code
  runs: student code that reads the cell's source sees neither the hidden tests nor a way to
  change them;
* **the result is a signed record**, ``NNCOURSE-RECORD <payload> <hmac>``, printed by the cell.
  It names the nonce the grader chose for this very cell, the exercise, passed / failed / not
  attempted, the one-line message and the notes. A check passes only on a record with a valid
  HMAC for the right nonce: printing "✓", swallowing exceptions (``set_custom_exc``,
  ``_showtraceback``), redefining ``check`` or the cell's names earns nothing;
* **the check's world is restored first.** Before each check the hook compares the module
  dictionaries of NumPy, nnlib and the standard modules the checks use (and the dictionaries of
  their Python classes) with the snapshot taken at seal time, by identity, and puts every
  changed entry back (``np.allclose = ...``, ``vars(np)[...] =``, ``exec``, aliases, threads that
  patch later all end up there); the changes are reported as tampering. The hidden tests run in
  a fresh namespace: the genuine ``check``, NumPy, the modules the lesson's setup cell imports
  and a copy of the builtins taken at seal time; only the student's answer names come from the
  notebook, and plain values among them are copied into plain Python / NumPy values (an object
  that imitates an array or a number is refused, so its ``__array__`` or ``__eq__`` never runs);
* **while the check runs**, code cannot obtain a frame (``sys._getframe``, ``tb_frame``,
  ``gi_frame``...), start threads or processes; a thread started earlier fails the check. At
  all times after sealing, the hook refuses ``gc.get_objects``/``get_referrers``/
  ``get_referents``, ``sys._current_frames``, ctypes, new audit hooks, creating functions or
  code objects from parts, replacing a function's ``__code__`` or defaults or the class of a
  NumPy or nnlib module, and a profiler or tracer set by anything but nnlib's own checks.
  (Plain attribute assignment on a module raises no audit event: it is undone before the
  check instead, as above.)

What remains possible is written in the README (Graders, threat model): above all, student code
runs in the same interpreter as the check, so an attack on CPython itself (a C extension, a
bug) is out of scope; the sandbox around the kernel is what bounds it.
"""

from __future__ import annotations

import sys

RECORD = "NNCOURSE-RECORD"
# modules (and their sub-modules) whose dictionaries and classes are restored before each check
GUARDED = ("numpy", "nnlib", "coursetools.grading_kernel", "builtins", "math", "operator",
           "functools", "numbers", "copy", "contextlib", "abc", "types", "collections",
           "enum", "dataclasses", "warnings", "re", "json", "inspect", "itertools", "typing")
# entries that change on their own while a kernel runs
VOLATILE = {"__warningregistry__", "filters", "_filters_version", "defaultaction",
            "onceregistry", "_", "__", "___", "exit", "quit", "get_ipython", "display",
            "__IPYTHON__", "__slotnames__", "_abc_impl", "_cache", "__builtins__", "input",
            "raw_input", "getpass"}
WINDOW_ONLY = {"sys._getframe", "_thread.start_new_thread", "os.fork", "os.forkpty",
               "os.posix_spawn", "os.system", "os.exec", "subprocess.Popen", "os.spawn"}
ALWAYS = {"gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
          "function.__new__", "code.__new__", "sys.addaudithook"}
FRAME_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame"}
FUNCTION_ATTRIBUTES = {"__code__", "__defaults__", "__kwdefaults__", "__closure__",
                       "__globals__"}


class Refused(RuntimeError):
    """Raised (inside the kernel) for what the grader does not allow while grading."""


def install(key_file: str) -> None:
    """Read and delete the key, capture the genuine objects, add the audit hook."""
    import _hashlib
    import binascii
    import builtins
    import os
    import signal as _signal_module
    import types

    import nnlib.checking as checking

    with open(key_file, "rb") as f:
        key = f.read()
    os.unlink(key_file)
    mac = _hashlib.hmac_new(key, digestmod="sha256")
    del key
    compare = _hashlib.compare_digest
    getframe = sys._getframe
    listdir = os.listdir
    sys_modules = sys.modules
    FunctionType, ModuleType = types.FunctionType, types.ModuleType
    b64decode = binascii.a2b_base64
    getsignal, setsignal = _signal_module.getsignal, _signal_module.signal
    setitimer = _signal_module.setitimer
    setprofile, settrace = sys.setprofile, sys.settrace
    genuine_check_failed, genuine_not_attempted = checking.CheckFailed, checking.NotAttempted
    plain = checking.plain
    state = {"sealed": False, "window": False, "busy": False, "used": set(), "threads": 0,
             "modules": [], "classes": [], "registry": {}, "builtins": {}, "signals": {},
             "genuine_codes": set(), "guarded_ids": set(), "user_ns": None,
             "frame_users": set(), "namedtuple": None}

    def sign(fields: tuple) -> str:
        text = repr(fields)
        m = mac.copy()
        m.update(text.encode("utf-8", "backslashreplace"))
        return f"{RECORD} {text.encode('utf-8', 'backslashreplace').hex()} {m.hexdigest()}"

    def keystream_xor(data: bytes, nonce: str) -> bytes:
        blocks = []
        for i in range((len(data) + 31) // 32):
            m = mac.copy()
            m.update(f"ks|{nonce}|{i}".encode())
            blocks.append(m.digest())
        stream = b"".join(blocks)[:len(data)]
        n = len(data)
        return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")

    def guarded_modules():
        found = []
        for name, module in list(sys_modules.items()):
            if type(name) is str and type(module) is ModuleType and any(
                    name == g or name.startswith(g + ".") for g in GUARDED):
                found.append((name, module))
        return found

    def seal() -> None:
        if state["sealed"]:
            return
        modules, classes, codes = [], [], set()
        for name, module in guarded_modules():
            d = module.__dict__
            modules.append((name, module, d, dict(d)))
            state["guarded_ids"].add(id(module))
            for value in list(d.values()):
                if type(value) is FunctionType and name.startswith("nnlib"):
                    codes.add(value.__code__)
                if isinstance(value, type) and value.__flags__ & (1 << 9) and getattr(
                        value, "__module__", "").split(".")[0] in ("numpy", "nnlib"):
                    cd = type.__dict__["__dict__"].__get__(value)
                    classes.append((value, dict(cd)))
                    if name.startswith("nnlib"):
                        for member in list(cd.values()):
                            member = getattr(member, "__func__", member)
                            if type(member) is FunctionType:
                                codes.add(member.__code__)
        seen, unique = set(), []
        for cls, snapshot in classes:
            if id(cls) not in seen:
                seen.add(id(cls))
                unique.append((cls, snapshot))
        state["modules"], state["classes"], state["genuine_codes"] = modules, unique, codes
        state["registry"] = {eid: (ex.run, ex.points, ex.what)
                             for eid, ex in checking._REGISTRY.items()}
        state["builtins"] = dict(builtins.__dict__)
        state["frame_users"] = frame_users()
        state["namedtuple"] = sys_modules["collections"].namedtuple.__code__
        state["threads"] = len(listdir("/proc/self/task"))
        state["signals"] = {s: getsignal(s) for s in range(1, _signal_module.NSIG)
                            if s not in (_signal_module.SIGKILL, _signal_module.SIGSTOP)
                            and _safe_getsignal(getsignal, s) is not None}
        try:
            state["user_ns"] = get_ipython().user_ns  # noqa: F821 - IPython's builtin
        except NameError:  # pragma: no cover - outside IPython
            state["user_ns"] = {}
        state["sealed"] = True

    def restore() -> list[str]:
        """Put back every guarded entry that changed since sealing; what changed, by name."""
        changed = []
        for name, module, d, snapshot in state["modules"]:
            if module.__dict__ is not d:
                continue
            keys = list(d)
            if any(type(k) is not str for k in keys):  # odd keys: rebuild without them
                items = [(k, v) for k, v in list(d.items()) if type(k) is str]
                d.clear()
                d.update(items)
                changed.append(f"{name} (a key that is not a string)")
            for key, value in snapshot.items():
                if key in VOLATILE:
                    continue
                if d.get(key, _MISSING) is not value:
                    d[key] = value
                    changed.append(f"{name}.{key}")
            if name == "builtins":
                continue
            for key in [k for k in d if k not in snapshot and k not in VOLATILE
                        and not k.startswith("__")]:
                value = d[key]
                full = f"{name}.{key}"
                if type(value) is ModuleType and sys_modules.get(full) is value \
                        and getattr(value, "__name__", None) == full:
                    continue  # a sub-module imported since (numpy's lazy ones)
                del d[key]
                changed.append(full)
        for cls, snapshot in state["classes"]:
            cd = type.__dict__["__dict__"].__get__(cls)
            for key, value in snapshot.items():
                if key in VOLATILE:
                    continue
                if cd.get(key, _MISSING) is not value:
                    type.__setattr__(cls, key, value)
                    changed.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
            for key in [k for k in cd if k not in snapshot and k not in VOLATILE
                        and not (type(k) is str and k.startswith("__"))]:
                type.__delattr__(cls, key)
                changed.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
        return changed

    def reset_signals() -> list[str]:
        changed = []
        for s, handler in state["signals"].items():
            if getsignal(s) is not handler:
                try:
                    setsignal(s, handler)
                except (ValueError, OSError, TypeError):
                    pass
                changed.append(f"signal {s}")
        for which in (0, 1, 2):  # ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
            if setitimer(which, 0)[0]:
                changed.append("a timer")
        return changed

    def namespace(imports: list[str], code, graded_check) -> dict:
        ns = {"__builtins__": dict(state["builtins"]), "__name__": "__nncourse_check__",
              "check": graded_check, "np": sys_modules["numpy"], "numpy": sys_modules["numpy"]}
        for line in imports:  # "name=module" or "name=module:attribute"
            name, _, target = line.partition("=")
            module, _, attribute = target.partition(":")
            try:
                value = sys_modules.get(module) or __import__(module, fromlist=["_"])
                ns[name] = getattr(value, attribute) if attribute else value
            except Exception:
                pass
        names, stack = set(), [code]
        while stack:
            c = stack.pop()
            names.update(c.co_names)
            stack.extend(k for k in c.co_consts if type(k) is type(code))
        user = state["user_ns"]
        for name in names:
            if name in ns or name in state["builtins"] or type(user) is not dict:
                continue
            value = user.get(name, _MISSING)
            if value is not _MISSING:
                ns[name] = value
        return ns

    def run_check(nonce, eid, payload, tag):
        """The genuine check cell: (status, stage, line, notes)."""
        m = mac.copy()
        m.update(f"ct|{nonce}|{eid}|{payload}".encode())
        if not compare(m.hexdigest(), tag):
            return ("failed", "setup", f"✗ {eid}: the check cell was altered before it ran", [])
        text = keystream_xor(b64decode(payload), nonce).decode("utf-8")
        source, *imports = text.split("\x00")
        notes = [f"changed {what} (restored before the check)" for what in restore()]
        notes += [f"changed {what} (reset before the check)" for what in reset_signals()]
        setprofile(None)
        settrace(None)
        if len(listdir("/proc/self/task")) > state["threads"]:
            return ("failed", "setup", f"✗ {eid}: a thread started by the notebook was still "
                    "running when the check began; checks run only when nothing runs in the "
                    "background", notes)
        visible = {"done": False, "failure": None}

        def graded_check(exercise_id, *answers):
            if exercise_id != eid or exercise_id not in state["registry"]:
                raise genuine_check_failed(f"no check for {exercise_id!r} here", eid)
            run, points, what = state["registry"][exercise_id]
            try:
                answers = tuple(a if callable(a) else plain(a, "your answer") for a in answers)
                if any(a is None or a is Ellipsis for a in answers):
                    raise genuine_not_attempted(f"not attempted yet; {what}", eid)
                run(*answers)
            except NotImplementedError:
                visible["failure"] = ("not attempted", f"… {eid}: not attempted yet; {what}")
                raise
            except BaseException as err:
                kind = type(err)
                if kind is genuine_not_attempted:
                    visible["failure"] = ("not attempted", f"… {eid}: {_text(err.message)}")
                elif kind is genuine_check_failed:
                    visible["failure"] = ("failed", f"✗ {eid}: {_text(err.message)}")
                else:
                    visible["failure"] = ("failed", f"✗ {eid}: your answer made the check stop "
                                          f"with {_type_name(err)}")
                raise
            visible["done"] = True

        error = None
        try:
            code = compile(source, f"<check {eid}>", "exec")
            exec(code, namespace(imports, code, graded_check))
            ok = True
        except BaseException as err:
            ok, error = False, err
        changed = restore()
        if changed:
            notes += [f"changed {what} while the check ran" for what in changed]
            ok = False
        handlers = [s for s, h in state["signals"].items() if getsignal(s) is not h]
        if handlers:
            notes.append("installed a signal handler while the check ran")
            ok = False
        if ok and visible["done"]:
            return ("passed", "hidden", "", notes)
        if changed or handlers:
            return ("failed", "tampering", f"✗ {eid}: the notebook changed the check's "
                    "tools while it ran", notes)
        if visible["failure"]:
            status, line = visible["failure"]
            return (status, "visible", line, notes)
        if visible["done"]:  # the visible check passed; a hidden test did not
            detail = _text(error.args[0]) if type(error) is AssertionError and error.args \
                else _type_name(error)
            return ("failed", "hidden", detail, notes)
        if error is None:
            return ("failed", "setup", f"✗ {eid}: the check cell did not run the check", notes)
        return ("failed", "setup", f"{_type_name(error)}: {_safe_message(error)}", notes)

    def hook(event, args):
        if state["busy"]:
            return
        if event == "nncourse.check" and state["sealed"]:
            if state["window"] or len(args) != 5 or type(args[4]) is not list or any(
                    type(a) is not str for a in args[:4]) or args[0] in state["used"]:
                raise Refused("the grader's check cannot run here")
            nonce, eid, payload, tag, out = args
            state["used"].add(nonce)
            state["window"] = True
            try:
                try:
                    status, stage, line, notes = run_check(nonce, eid, payload, tag)
                except BaseException as err:  # interrupted (timeout) or a bug: no pass
                    status, stage, line, notes = ("failed", "setup", _type_name(err), [])
                record = sign((nonce, eid, status, stage, _text(line),
                               tuple(_text(n) for n in notes)))
                list.append(out, record)
            finally:
                state["window"] = False
            return
        if event == "nncourse.seal":
            seal()
            return
        if not state["sealed"]:
            return
        if event in ALWAYS or event.startswith("ctypes."):
            raise Refused(f"{event} is not available while grading")
        if event in ("sys.setprofile", "sys.settrace"):
            state["busy"] = True
            try:
                caller = getframe(1).f_code
            finally:
                state["busy"] = False
            if caller not in state["genuine_codes"] and args and args[0] is not None:
                raise Refused(f"{event} is not available while grading")
            return
        if event == "object.__setattr__" or event == "object.__delattr__":
            obj, name = args[0], args[1]
            if type(obj) is FunctionType and name in FUNCTION_ATTRIBUTES:
                state["busy"] = True
                try:  # namedtuple sets the defaults of the __new__ it has just made
                    caller = getframe(1).f_code
                finally:
                    state["busy"] = False
                if caller is not state["namedtuple"]:
                    raise Refused(f"changing a function's {name} is not allowed while grading")
                return
            if id(obj) in state["guarded_ids"]:
                value = args[2] if len(args) > 2 else None
                full = f"{getattr(obj, '__name__', '?')}.{name}"
                if type(value) is ModuleType and getattr(value, "__name__", None) == full:
                    return  # the import system adding a sub-module
                raise Refused(f"the notebook may not change {full} while it is graded")
            return
        if state["window"]:
            if event == "sys._getframe":
                state["busy"] = True
                try:  # the frame that asked: one of the library functions that only read
                    caller = getframe(1).f_code  # their caller's module name is fine
                finally:
                    state["busy"] = False
                if caller in state["frame_users"]:
                    return
            if event in WINDOW_ONLY or event.startswith("os.exec"):
                raise Refused(f"{event} is not available while a check runs")
            if event == "object.__getattr__" and len(args) > 1 and args[1] in FRAME_ATTRIBUTES:
                raise Refused("frames are not available while a check runs")

    sys.addaudithook(hook)


_MISSING = object()


def frame_users() -> set:
    """Code of the standard library functions that call sys._getframe only to learn their
    caller's module name (namedtuple, enum, typing) and never hand the frame on."""
    import collections
    import enum
    import types
    import typing

    codes = {collections.namedtuple.__code__}
    for module in (enum, typing):
        for value in list(vars(module).values()):
            members = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for member in members:
                member = getattr(member, "__func__", member)
                code = getattr(member, "__code__", None)
                if isinstance(member, types.FunctionType) and "_getframe" in code.co_names \
                        and member.__name__ not in ("currentframe", "stack"):
                    codes.add(code)
    return codes


def _safe_getsignal(getsignal, s):
    try:
        return getsignal(s)
    except (ValueError, OSError):
        return None


def _type_name(err: BaseException) -> str:
    """The exception's class name, read without running any of the student's code."""
    name = type.__dict__["__name__"].__get__(type(err))
    return name if name.isidentifier() and len(name) <= 60 else "an exception"


def _text(value) -> str:
    """A message only if it is a plain string (a student object's __str__ never runs)."""
    return str.__str__(value)[:500] if isinstance(value, str) else ""


def _safe_message(err: BaseException) -> str:
    args = err.args
    if len(args) == 1 and isinstance(args[0], str):
        return str.__str__(args[0]).split("\n")[0][:200]
    return ""
