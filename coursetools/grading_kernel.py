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
  patch later all end up there); the changes are reported as tampering. nnlib's *data* is
  also compared by value, since a change in place rebinds nothing: every entry of an nnlib
  module, of its Python classes and every default of its functions that holds a dict, list,
  set or NumPy array (``DESIGN["target"] = 0``, ``CASES[0][:] = 0``, a class's dict attribute,
  a function's ``__kwdefaults__``), however nested in dicts, lists and tuples, is snapshotted
  deeply at seal (``same``: each item must be the very object it was, each array the same
  dtype, shape, writeability and bytes; only C code of exact built-in and NumPy types runs)
  and changed back in place before the check, with a note. Every ``functools`` cache of
  nnlib is emptied before each check, so a value cached earlier (an array the cache handed
  out and the notebook then changed, an entry made with an odd but equal argument) is
  computed anew, and so is every container that was empty at seal (a memo a check fills as
  it runs, such as lesson02's ``_SEPARABLE``). The hidden tests run in
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
  check instead, as above.) A change of a guarded entry or of nnlib's data *while* the check
  runs (by the answer it calls) fails the check as tampering, except for the memos above.

What remains possible is written in the README (Graders, threat model): above all, student code
runs in the same interpreter as the check, so an attack on CPython itself (a C extension, a
bug) is out of scope; the sandbox around the kernel is what bounds it. Limits of the data
guard: it covers nnlib's modules loaded at seal (the preimported check modules and what they
import), not NumPy's or the standard modules' data (compared by identity only); objects that
are not plain data (an instance such as nnlib.threads' ThreadpoolController, a dataclass
instance, an ndarray subclass) are compared by identity, not by their attributes, and so is
anything nested deeper than DATA_DEPTH; code that the check itself calls (the answer) can
still change a guarded entry or nnlib's data and undo the change before the check ends, or
fill or change a cache or a memo the check reads later in the same run: neither guard sees
that, since it compares only before and after the check.
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
# modules (and their sub-modules) whose *data* is also compared by value: every entry of their
# dictionaries, of their Python classes' dictionaries and their functions' defaults that holds
# dicts, lists, sets or arrays, so that a change in place (DESIGN["target"] = 0) is seen too
DATA_SCOPE = "nnlib"
CHECK_MODULES = "nnlib.checks."  # the lessons' checks: their functions compute the answers
# data that changes on its own: the registry is captured at seal (check modules imported later
# add to it); a container that is empty at seal is a memo the checks fill (see seal())
DATA_VOLATILE = {"nnlib.checking._REGISTRY"}
DATA_DEPTH = 40  # nesting followed by the data guard; deeper is compared by identity
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
    import functools
    import os
    import signal as _signal_module
    import types

    import numpy

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
    audit_event = sys.audit
    genuine_repr = repr  # sign() must not look it up in builtins at signing time
    genuine_check_failed, genuine_not_attempted = checking.CheckFailed, checking.NotAttempted
    plain = checking.plain
    # the genuine tools of the data guard (C types and functions, which no Python code can
    # change) and the builtins it calls, captured before any student code runs
    ndarray, copyto = numpy.ndarray, numpy.copyto
    nd_tobytes, nd_copy, nd_ravel = ndarray.tobytes, ndarray.copy, ndarray.ravel
    lru_wrapper = type(functools.lru_cache(maxsize=None)(len))
    cache_clear = lru_wrapper.cache_clear
    dict_items, dict_clear, dict_copy, dict_setitem = (dict.items, dict.clear, dict.copy,
                                                      dict.__setitem__)
    list_copy, list_setitem, everything = list.copy, list.__setitem__, slice(None)
    set_copy, set_clear, set_update = set.copy, set.clear, set.update
    kind_of, identity, size, pairs, make_tuple = type, id, len, zip, tuple
    frozen, fresh_set = frozenset, set
    function_attributes = {key: types.FunctionType.__dict__[key]
                           for key in ("__defaults__", "__kwdefaults__")}
    state = {"sealed": False, "window": False, "busy": False, "used": set(), "threads": 0,
             "modules": [], "classes": [], "registry": {}, "builtins": {}, "signals": {},
             "genuine_codes": set(), "guarded_ids": set(), "user_ns": None,
             "frame_users": set(), "namedtuple": None, "data": [], "caches": [], "kept": [],
             "guards": {}}

    def sign(fields: tuple) -> str:
        text = genuine_repr(fields)
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

    # ------------------------------------------------------------------ the data guard
    def model(value, memo: dict, depth: int) -> list:
        """A deep snapshot of ``value`` as it is at seal: [the object, its kind, its contents,
        whether it holds mutable data]. A dict's contents are its items' own snapshots, a
        list's or a tuple's its items', a set's the identities of its items, an array's a copy,
        its bytes and its writeability; anything else (a scalar, a function, a class, an
        instance, a frozenset) is kept as it is and compared by identity."""
        key = identity(value)
        if key in memo:
            return memo[key]
        kind = kind_of(value)
        node = [value, "o", None, False]
        memo[key] = node
        if depth >= DATA_DEPTH:
            return node
        if kind is dict:
            node[1:] = "d", [(model(k, memo, depth + 1), model(v, memo, depth + 1))
                             for k, v in dict_items(value)], True
        elif kind is list or kind is tuple:
            items = [model(item, memo, depth + 1) for item in value]
            node[1:] = ("l" if kind is list else "t"), items, kind is list or any(
                item[3] for item in items)
        elif kind is set:
            node[1:] = "s", (list(value), frozen(identity(item) for item in value)), True
        elif kind is ndarray:
            node[1:] = "a", (nd_copy(value), nd_tobytes(value), value.flags.writeable,
                             [model(item, memo, depth + 1) for item in nd_ravel(value)]
                             if value.dtype.hasobject else []), True
        return node

    def same(value, node: list, seen: set) -> bool:
        """Whether ``value`` is still what ``node`` saw at seal: the same object, and for data
        the same contents: every item of a dict, list, tuple or set the same object as then
        (an equal one put in its place counts as a change) and compared the same way, every
        array the same dtype, shape, writeability and bytes. Exact, and only C code of exact
        built-in and NumPy types runs: no method of any object the notebook made."""
        obj, kind, contents, mutable = node
        if value is not obj:
            return False
        if not mutable or identity(node) in seen:
            return True
        seen.add(identity(node))
        if kind == "d":
            if size(value) != size(contents):
                return False
            for (k, v), (k_node, v_node) in pairs(dict_items(value), contents):
                if k is not k_node[0] or not same(v, v_node, seen):
                    return False
        elif kind == "l" or kind == "t":
            if size(value) != size(contents):
                return False
            for item, item_node in pairs(value, contents):
                if not same(item, item_node, seen):
                    return False
        elif kind == "s":
            return size(value) == size(contents[1]) and frozen(
                identity(item) for item in value) == contents[1]
        elif kind == "a":
            pristine, data, writeable, items = contents
            if value.shape != pristine.shape or value.dtype != pristine.dtype or \
                    value.flags.writeable != writeable or nd_tobytes(value) != data:
                return False
            for item, item_node in pairs(nd_ravel(value), items):
                if not same(item, item_node, seen):
                    return False
        return True

    def put_back(node: list, done: dict, kept: list):
        """``node``'s object with the contents it had at seal: changed back in place (so every
        reference to it sees the genuine value again), or a fresh copy when that cannot be (an
        array whose shape, dtype or writeability was changed, a tuple that holds one).
        What is taken out is kept alive until the next check starts (no ``__del__`` now)."""
        obj, kind, contents, mutable = node
        if not mutable:
            return obj
        key = identity(node)
        if key in done:
            return done[key]
        done[key] = obj
        if kind == "d":
            kept.append(dict_copy(obj))
            dict_clear(obj)
            for k, v in contents:
                dict_setitem(obj, put_back(k, done, kept), put_back(v, done, kept))
        elif kind == "l":
            kept.append(list_copy(obj))
            list_setitem(obj, everything, [put_back(item, done, kept) for item in contents])
        elif kind == "s":
            kept.append(set_copy(obj))
            set_clear(obj)
            set_update(obj, contents[0])
        elif kind == "t":
            items = [put_back(item, done, kept) for item in contents]
            for now, then in pairs(obj, items):
                if now is not then:
                    obj = node[0] = done[key] = make_tuple(items)
                    break
        elif kind == "a":
            pristine, _data, writeable, items = contents
            for item in items:
                put_back(item, done, kept)
            try:
                if obj.shape != pristine.shape or obj.dtype != pristine.dtype:
                    raise ValueError("reshaped")
                if not obj.flags.writeable:
                    obj.flags.writeable = True
                copyto(obj, pristine, casting="no")
                obj.flags.writeable = writeable
            except (ValueError, TypeError):
                obj = node[0] = done[key] = nd_copy(pristine)
                obj.flags.writeable = writeable
        return obj

    def watch_data(modules, classes) -> None:
        """At seal: remember every data entry of nnlib (modules, their classes, the defaults
        of their functions) that holds mutable data, with its deep snapshot (``model``), and
        every functools cache."""
        entries, caches, functions, done = [], [], [], set()
        nodes = {}  # one snapshot per object, however many entries reach it

        def add(name, where, owner, key, value, snapshot):
            node = model(value, nodes, 0)
            if node[3] and name not in DATA_VOLATILE:
                memo = type(value) in (dict, list, set) and not value  # filled by checks
                entries.append((name, where, owner, key, node, memo, snapshot))

        def look_at(name, where, owner, namespace, snapshot):
            for key, value in list(namespace.items()):
                if type(key) is not str or key in VOLATILE:
                    continue
                member = getattr(value, "__func__", value) if isinstance(
                    value, (classmethod, staticmethod)) else value
                member = state["guards"].get(identity(member), member)
                if type(member) is lru_wrapper and identity(member) not in done:
                    done.add(identity(member))
                    caches.append(member)
                    member = getattr(member, "__wrapped__", None)
                where_from = getattr(member, "__module__", None)
                if type(member) is FunctionType and identity(member) not in done and \
                        type(where_from) is str and where_from.split(".")[0] == DATA_SCOPE:
                    done.add(identity(member))
                    functions.append((f"{member.__module__}.{member.__qualname__}", member))
                add(f"{name}.{key}", where, owner, key, value, snapshot)

        for name, _module, d, snapshot in modules:
            if name == DATA_SCOPE or name.startswith(DATA_SCOPE + "."):
                look_at(name, "module", d, d, snapshot)
        for cls, snapshot in classes:
            if str(getattr(cls, "__module__", "")).split(".")[0] == DATA_SCOPE:
                look_at(f"{cls.__module__}.{cls.__qualname__}", "class", cls,
                        type.__dict__["__dict__"].__get__(cls), snapshot)
        for name, function in functions:
            for key in ("__defaults__", "__kwdefaults__"):
                value = getattr(function, key)
                if value is not None:
                    add(f"{name}.{key}", "function", function, key, value, None)
        state["data"], state["caches"] = entries, caches

    def current(where, owner, key):
        if where == "module":
            return owner.get(key, _MISSING)
        if where == "class":
            return type.__dict__["__dict__"].__get__(owner).get(key, _MISSING)
        return function_attributes[key].__get__(owner)

    def rebind(where, owner, key, value, snapshot) -> None:
        if where == "module":
            owner[key] = value
        elif where == "class":
            type.__setattr__(owner, key, value)
        else:  # a function's defaults: the hook refuses this to anyone else
            state["busy"] = True
            try:
                function_attributes[key].__set__(owner, value)
            finally:
                state["busy"] = False
        if snapshot is not None:
            snapshot[key] = value  # the identity guard's snapshot follows

    def restore_data(during: bool) -> list[str]:
        """Put back every data entry that is not ``same`` as at seal; the names of those that
        changed. Memos are emptied before a check without a note, and may
        grow while it runs (the check fills them)."""
        changed, done, kept = [], {}, state["kept"]
        for name, where, owner, key, node, memo, snapshot in state["data"]:
            if memo and during:
                continue
            value = current(where, owner, key)
            if same(value, node, fresh_set()):
                continue
            new = put_back(node, done, kept)
            if new is not value:
                kept.append(value)
                rebind(where, owner, key, new, snapshot)
            if not memo:
                changed.append(name)
        return changed

    def clear_caches() -> None:
        for cache in state["caches"]:
            cache_clear(cache)

    def reference_guard(original, full: str):
        """``original`` (a function of a check module) callable only while a check runs. A
        notebook that asks the checks for an answer in its cells (``width_accuracy(h)``,
        ``lambda_run(lam)``, ``epochs3()``) is refused. While a check runs every call is let
        through: a check may hand its own functions to the answer (05.2's loss to a numerical
        gradient). The decision is the audit hook's (``nncourse.reference``), so the wrapper
        holds no state a notebook could reach; the function itself is in its closure, which a
        notebook that goes looking can reach, as it can copy the checks' public source."""

        def guarded(*args, **kwargs):
            audit_event("nncourse.reference", full)  # the hook refuses, or lets it through
            return original(*args, **kwargs)

        guarded.__name__ = guarded.__qualname__ = getattr(original, "__name__", "guarded")
        state["guards"][identity(guarded)] = original
        return guarded

    def guard_references() -> None:
        """Put ``reference_guard`` around every function of the lessons' check modules (they
        compute the reference answers)."""
        for name, module in guarded_modules():
            if not name.startswith(CHECK_MODULES):
                continue
            d = module.__dict__
            for key, value in list(d.items()):
                if (type(value) is FunctionType or kind_of(value) is lru_wrapper) and \
                        getattr(value, "__module__", None) == name:
                    d[key] = reference_guard(value, f"{name}.{key}")

    def seal() -> None:
        if state["sealed"]:
            return
        guard_references()
        modules, classes, codes = [], [], set()
        for name, module in guarded_modules():
            d = module.__dict__
            modules.append((name, module, d, dict(d)))
            state["guarded_ids"].add(id(module))
            for value in list(d.values()):
                value = state["guards"].get(identity(value), value)
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
        watch_data(modules, unique)
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
        changed, kept = [], state["kept"]  # what is taken out dies after the check
        for name, module, d, snapshot in state["modules"]:
            if module.__dict__ is not d:
                continue
            keys = list(d)
            if any(type(k) is not str for k in keys):  # odd keys: rebuild without them
                items = [(k, v) for k, v in list(d.items()) if type(k) is str]
                kept.append(dict(d))
                d.clear()
                d.update(items)
                changed.append(f"{name} (a key that is not a string)")
            for key, value in snapshot.items():
                if key in VOLATILE:
                    continue
                if d.get(key, _MISSING) is not value:
                    kept.append(d.get(key))
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
                kept.append(value)
                del d[key]
                changed.append(full)
        for cls, snapshot in state["classes"]:
            cd = type.__dict__["__dict__"].__get__(cls)
            for key, value in snapshot.items():
                if key in VOLATILE:
                    continue
                if cd.get(key, _MISSING) is not value:
                    kept.append(cd.get(key))
                    type.__setattr__(cls, key, value)
                    changed.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
            for key in [k for k in cd if k not in snapshot and k not in VOLATILE
                        and not (type(k) is str and k.startswith("__"))]:
                kept.append(cd[key])
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
        state["kept"] = []  # what the last check's restores took out dies here, before them
        notes = [f"changed {what} (restored before the check)"
                 for what in restore() + restore_data(during=False)]
        clear_caches()  # values cached earlier (maybe poisoned in place) are computed anew
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
        changed = restore() + restore_data(during=True)
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
        if event == "nncourse.reference":
            if not state["window"]:
                raise Refused(f"{args[0] if args else 'this'} belongs to the checks: while "
                              "grading, only a check may call it")
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
