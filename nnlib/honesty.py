"""Checks that an answer does the work the exercise asks for (for check authors).

A check compares what an answer returns with what it should return. Two kinds of answer can
return the right numbers without doing what the exercise teaches, and this module tells them
apart from honest ones:

* **delegation**: the answer hands the very thing asked to a library (``nnlib.activations.
  softmax`` in an exercise that asks you to write softmax, ``scipy.special.expit`` for a
  sigmoid). ``watch(forbidden=...)`` runs the student's function and notes every call into a
  forbidden function, class or module, whatever name the answer uses for it; ``refers_to``
  also finds forbidden objects the answer's code names without calling them on the checked path;
* **numerical gradients**: an answer that estimates a derivative by finite differences,
  ``(f(z + h) - f(z - h)) / 2h``, agrees with the chain rule to about 1e-6 .. 1e-10, never to
  the last digits. ``expect_analytic`` compares to 1e-11 of the gradient's scale (the chain rule
  written any way agrees to about 1e-15) and names a numerical estimate when it sees one. Checks
  choose cases where finite differences are worst: large losses beside small gradient entries
  (rounding, eps * L / h) and sharp curvature (truncation, h^2 f'''), so no step h is good
  enough. ``watch`` also counts calls, so a check can see a loss evaluated once per parameter.

What an exercise gives (a stable ``sigmoid`` imported at the top of a backprop exercise) stays
allowed: each check lists only what its exercise asks the student to write.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from nnlib.checking import as_array, fail

# Code in these folders is a library's, not the student's: its frames are not inspected.
_LIBRARY_DIRS = tuple(os.path.realpath(d) for d in {
    os.path.dirname(np.__file__), sysconfig.get_paths()["stdlib"],
    sysconfig.get_paths()["platstdlib"], os.path.dirname(os.path.abspath(__file__))})

NUMERICAL = ("this estimates the derivative numerically (finite differences agree only to "
             "about 1e-7); the exercise asks for the derivative from the chain rule")


# --------------------------------------------------------------------------- forbidden objects
def _codes_of(obj: Any) -> set:
    """The code objects that run when ``obj`` is called (functions, methods, a class's methods)."""
    codes = set()
    if isinstance(obj, type):
        for value in vars(obj).values():
            codes |= _codes_of(getattr(value, "__func__", value))
        return codes
    func = getattr(obj, "__func__", obj)
    func = getattr(func, "__wrapped__", func)
    code = getattr(func, "__code__", None)
    if isinstance(code, types.CodeType):
        codes.add(code)
    return codes


class Forbidden:
    """What an answer may not use: objects (functions, classes, ufuncs) and whole modules.

    ``Forbidden([nnlib.activations.softmax], modules=["scipy.special"], what="softmax")``
    """

    def __init__(self, objects: Iterable[Any] = (), modules: Iterable[str] = (), what: str = ""):
        self.objects = [o for o in objects if o is not None]
        self.modules = tuple(modules)
        self.what = what
        self.codes = {}
        for obj in self.objects:
            for code in _codes_of(obj):
                self.codes[code] = _name(obj)

    def name_of_code(self, code: types.CodeType) -> str | None:
        if code in self.codes:
            return self.codes[code]
        for module in self.modules:
            folder = module.replace(".", "/")
            if f"/{folder}/" in code.co_filename or code.co_filename.endswith(f"/{folder}.py"):
                return f"{module} ({code.co_name})"
        return None

    def name_of_object(self, obj: Any) -> str | None:
        for forbidden in self.objects:
            if obj is forbidden:
                return _name(obj)
        if isinstance(obj, types.ModuleType):  # naming a module is fine; calling into it is not
            return None
        module = getattr(obj, "__module__", None)
        if isinstance(module, str) and any(module == m or module.startswith(m + ".")
                                           for m in self.modules):
            return f"{module}.{getattr(obj, '__name__', '')}".rstrip(".")
        if isinstance(obj, np.ufunc):  # a ufunc has no __module__: look for it in the modules
            name = getattr(obj, "__name__", "")
            for m in self.modules:
                held = sys.modules.get(m)
                if held is not None and name and getattr(held, name, None) is obj \
                        and getattr(np, name, None) is not obj:
                    return f"{m}.{name}"
        return None


def _name(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", repr(obj))
    return f"{module}.{name}" if module else name


# --------------------------------------------------------------------------- watching a call
class Watch:
    """Counts the Python function calls made while it is active, by code object.

    ``calls(fn)`` says how often ``fn`` ran; ``forbidden_calls`` lists forbidden ones;
    ``complex_seen`` says whether a function of the answer (not a library's) held a complex
    number when it returned, the mark of complex-step differentiation, f(x + ih).imag / h:
    nothing in this course's exercises needs complex numbers. With ``extended=True``,
    ``extended_seen`` says the same of numbers with more digits than float64 (``np.longdouble``,
    ``decimal.Decimal``, mpmath's), with which a finite difference hides the rounding error a
    float64 check would see.
    """

    def __init__(self, forbidden: Forbidden | None = None, extended: bool = False):
        self.forbidden = forbidden or Forbidden()
        self.counts: Counter = Counter()
        self.forbidden_calls: list[str] = []
        self.switched_off = False
        self.complex_seen = False
        self.extended = extended
        self.extended_seen = False
        self._student_code: dict = {}

    def _is_student(self, code: types.CodeType) -> bool:
        known = self._student_code.get(code)
        if known is None:
            path = code.co_filename
            known = not (path.startswith("<frozen") or
                         os.path.realpath(path).startswith(_LIBRARY_DIRS))
            self._student_code[code] = known
        return known

    def _holds_complex(self, frame) -> bool:
        for value in list(frame.f_locals.values()):
            if isinstance(value, complex | np.complexfloating):
                return True
            if isinstance(value, np.ndarray) and value.dtype.kind == "c":
                return True
        return False

    def _hook(self, frame, event, arg):
        if event == "return":
            if not self.complex_seen and self._is_student(frame.f_code):
                self.complex_seen = self._holds_complex(frame) or isinstance(
                    arg, complex | np.complexfloating) or (
                    isinstance(arg, np.ndarray) and arg.dtype.kind == "c")
            if self.extended and not self.extended_seen and self._is_student(frame.f_code):
                self.extended_seen = any(map(_is_extended, [arg, *frame.f_locals.values()]))
            return
        if event == "call":
            code = frame.f_code
            self.counts[code] += 1
            if self.forbidden.codes or self.forbidden.modules:
                name = self.forbidden.name_of_code(code)
                if name and name not in self.forbidden_calls:
                    self.forbidden_calls.append(name)
        elif event == "c_call":
            name = self.forbidden.name_of_object(arg) if self.forbidden.objects else None
            if name and name not in self.forbidden_calls:
                self.forbidden_calls.append(name)

    def calls(self, fn: Callable) -> int:
        return sum(self.counts[code] for code in _codes_of(fn))

    def most_called(self, where: Callable[[types.CodeType], bool] = lambda c: True):
        """(code, count) of the function called most often among those ``where`` accepts."""
        found = [(code, n) for code, n in self.counts.items() if where(code)]
        return max(found, key=lambda item: item[1], default=(None, 0))

    def __enter__(self) -> Watch:
        self._previous = sys.getprofile()
        self._previous_threading = threading.getprofile()
        threading.setprofile(self._hook)
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc) -> None:
        self.switched_off = sys.getprofile() != self._hook
        sys.setprofile(self._previous)
        threading.setprofile(self._previous_threading)


def _is_extended(value: Any) -> bool:
    """A number (or array) with more precision than float64."""
    if isinstance(value, np.ndarray | np.floating | np.complexfloating):
        kind = value.dtype.kind
        return kind in "fc" and value.dtype.itemsize > (16 if kind == "c" else 8)
    module = type(value).__module__ or ""
    return type(value).__name__ == "Decimal" or module.split(".")[0] in ("mpmath", "gmpy2")


def watch(forbidden: Forbidden | None = None, extended: bool = False) -> Watch:
    """``with watch(Forbidden([...])) as w: got = call(answer, ...)``, then ``w.counts`` etc."""
    return Watch(forbidden, extended)


# --------------------------------------------------------------------------- what code names
def referenced_objects(func: Any, depth: int = 3) -> list[Any]:
    """The objects a student's function can reach by name: the globals and closure variables
    its code (and its nested functions) names, attributes of modules it names (``sp.special.
    expit``), and, ``depth`` levels down, the same for the notebook functions it calls."""
    found: list[Any] = []
    seen: set[int] = set()

    def visit(fn: Any, level: int) -> None:
        fn = getattr(fn, "__func__", fn)
        if id(fn) in seen or level < 0:
            return
        seen.add(id(fn))
        code = getattr(fn, "__code__", None)
        if not isinstance(code, types.CodeType):
            if callable(fn) and not isinstance(fn, type):  # a callable object: its __call__
                method = vars(type(fn)).get("__call__")
                if method is not None and getattr(method, "__code__", None) is not None:
                    visit(method, level)
            return
        names: set[str] = set()
        stack = [code]
        while stack:
            c = stack.pop()
            names.update(c.co_names)
            names.update(c.co_freevars)
            stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
        namespace = dict(getattr(fn, "__globals__", {}))
        for cell_name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
            try:
                namespace[cell_name] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
        for default in (getattr(fn, "__defaults__", None) or ()):
            found.append(default)
        values = [namespace[n] for n in names if n in namespace]
        for value in values:
            found.append(value)
            if isinstance(value, types.ModuleType):  # np.x, sp.special.expit
                for attr in names:
                    sub = getattr(value, attr, None)
                    if sub is not None:
                        found.append(sub)
                        if isinstance(sub, types.ModuleType):
                            found.extend(getattr(sub, a, None) for a in names)
            elif isinstance(value, types.FunctionType) and value.__globals__ is fn.__globals__:
                visit(value, level - 1)  # a helper written in the same notebook
            elif isinstance(value, type) and getattr(value, "__module__", "") == \
                    fn.__globals__.get("__name__"):
                for member in vars(value).values():
                    visit(member, level - 1)

    visit(func, depth)
    return [obj for obj in found if obj is not None]


def refers_to(func: Any, forbidden: Forbidden) -> list[str]:
    """Names of the forbidden objects that ``func``'s code refers to."""
    names = []
    for obj in referenced_objects(func):
        try:
            name = forbidden.name_of_object(obj)
        except Exception:  # an odd object whose attributes raise: not a forbidden one
            name = None
        if name and name not in names:
            names.append(name)
    return names


def call_without_delegation(func: Callable, *args: Any, forbidden: Forbidden,
                            call: Callable | None = None, derivative: bool = False,
                            **call_kwargs: Any) -> Any:
    """Run ``call(func, *args, **call_kwargs)`` (``nnlib.checking.call`` by default) and fail
    with "write it yourself" when the answer refers to or calls anything ``forbidden``.
    With ``derivative=True`` (the answer is a derivative from the chain rule) it also fails when
    the answer computes with more precision than float64, as a finite difference does to pass
    a float64 comparison.

    A generator's body runs only when it is iterated, so a generator is run to the end inside
    the watch and comes back as a list."""
    from nnlib.checking import call as default_call

    call = call or default_call
    named = refers_to(func, forbidden)
    if named:
        _delegated(named[0], forbidden)
    with watch(forbidden, extended=derivative) as w:
        result = call(func, *args, **call_kwargs)
        if isinstance(result, types.GeneratorType):  # its body runs only when iterated: here
            result = list(call(lambda: list(result), label=call_kwargs.get("label")))
    if w.switched_off:
        fail("your answer switched off the check's watch on what it calls (sys.setprofile)",
             "answer without changing the interpreter's profiler")
    if w.forbidden_calls:
        _delegated(w.forbidden_calls[0], forbidden)
    if w.complex_seen:
        fail("your answer computes with complex numbers, as complex-step differentiation "
             "(f(x + ih).imag / h) does: that is a numerical method",
             "this exercise asks for the derivative from the chain rule, in real numbers")
    if derivative and w.extended_seen:
        fail("your answer computes with more digits than float64 (np.longdouble, Decimal or "
             "mpmath), as a finite difference does to hide its rounding error: that is a "
             "numerical method", "this exercise asks for the derivative from the chain rule, "
             "in float64")
    return result


def _delegated(name: str, forbidden: Forbidden) -> None:
    what = forbidden.what or "the thing this exercise asks for"
    fail(f"your answer uses {name}, which computes {what} for you",
         "this exercise asks you to write it yourself (its text says what you may use)")


# --------------------------------------------------------------------------- analytic gradients
def expect_analytic(got: Any, expected: Any, label: str, hint: str | None = None,
                    section: str | None = None, scale: float | None = None,
                    rtol: float = 1e-11) -> np.ndarray:
    """Compare a derivative with its exact value, to ``rtol`` of ``scale`` (default: the largest
    entry of ``expected``, at least 1e-300) per entry. An answer within 1e-3 of the scale but not
    within ``rtol`` is a numerical estimate and is told so; returns the array."""
    expected = np.asarray(expected, dtype=float)
    arr = as_array(got, label)
    if arr.shape != expected.shape:
        fail(f"{label} has shape {arr.shape}, expected {expected.shape}", hint)
    if not np.all(np.isfinite(arr)):
        fail(f"{label} returned {_show(arr)}, which is not finite", hint)
    if scale is None:
        scale = float(np.max(np.abs(expected), initial=0.0))
    scale = max(scale, 1e-300)
    error = np.abs(arr - expected)
    bound = rtol * scale + 4 * np.finfo(float).eps * np.abs(expected)
    if np.all(error <= bound):
        return arr
    worst = float(np.max(error / scale))
    if worst < 1e-3:
        where = f" (see {section})" if section else ""
        fail(f"{label} is off by {worst:.1e} of the gradient's size: {NUMERICAL}{where}")
    fail(f"{label} returned {_show(arr)}, expected {_show(expected)}", hint)
    return arr


def _show(arr: np.ndarray) -> str:
    from nnlib.checking import show

    return show(arr)


# --------------------------------------------------------------------------- types
def is_count(value: Any) -> bool:
    """Whether ``value`` is a count as the course writes one: a Python or NumPy integer, not a
    bool and not a float like 12.0. Every check that reads a count asks this."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def expect_count(got: Any, expected: int, label: str, hint: str | None = None) -> int:
    """A count is an ``int`` (a Python or NumPy integer; not a bool, not a float like 12.0)."""
    if not is_count(got):
        fail(f"{label} returned {type(got).__name__} {_show(got)}, expected an int",
             "a count is a whole number: return an int")
    if int(got) != int(expected):
        fail(f"{label} returned {int(got)}, expected {int(expected)}", hint)
    return int(got)


def expect_shape_value(got: Any, expected: tuple, label: str, hint: str | None = None) -> tuple:
    """A shape is a tuple (or list) of ints, as ``array.shape`` gives it."""
    if not isinstance(got, tuple | list) or not all(
            isinstance(d, int | np.integer) and not isinstance(d, bool) for d in got):
        fail(f"{label} returned {type(got).__name__} {_show(got)}, expected a shape such as "
             "(3, 4)", "a shape is a tuple of ints, like array.shape")
    if tuple(int(d) for d in got) != tuple(expected):
        fail(f"{label} returned {tuple(int(d) for d in got)}, expected {tuple(expected)}", hint)
    return tuple(int(d) for d in got)
