"""numerics.lazy: a module named there is imported when a function is first looked up, never for
the dunder lookups that inspection makes (doctest, copy, hasattr(m, '__file__'))."""

import subprocess
import sys


def test_a_lazy_module_is_imported_on_first_use_and_not_before():
    code = ("import sys\n"
            "from numerics.lazy import lazy\n"
            "m = lazy('json.tool')\n"
            "assert 'json.tool' not in sys.modules\n"
            "assert not hasattr(m, '__file__') and not hasattr(m, '__wrapped__')\n"
            "assert 'json.tool' not in sys.modules\n"
            "assert callable(m.main) and 'json.tool' in sys.modules\n"
            "print('ok')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout == "ok\n", run.stderr


def test_a_missing_attribute_is_an_attribute_error_naming_it():
    from numerics.lazy import lazy

    m = lazy("json")
    try:
        m.no_such_function
    except AttributeError as exc:
        assert "no_such_function" in str(exc)
    else:
        raise AssertionError("no AttributeError")
    assert m.dumps([1]) == "[1]"
