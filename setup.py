"""Build script for regcore's compiled core.

Everything declarative lives in pyproject.toml; this file only knows how to
compile ``src/regcore/_kernels.pyx``:

* Cython with typed memoryviews and ``cython.floating`` fused types;
* OpenMP when the compiler can build and link a tiny OpenMP program (probed at
  build time), a serial build otherwise; ``REGCORE_DISABLE_OPENMP=1`` forces the
  serial build; POSIX threads (``-pthread``) for the work-sharing pool of the
  dense coordinate-descent passes, which MSVC builds go without;
* portable code generation only: the baseline instruction set of the target
  and IEEE floating point (no host-specific tuning, no relaxed math), so wheels
  run on any x86-64 / arm64 machine with the same numerics. Kernels that want
  AVX2 pick it at run time through function multiversioning in their C helpers.
"""

import os
import sys
import tempfile
import textwrap

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) {
        int n = 0;
        #pragma omp parallel reduction(+:n)
        n += 1;
        return n > 0 ? 0 : 1;
    }
    """
)


def _openmp_flags(compiler_type):
    """Return (compile_args, link_args) that enable OpenMP for this compiler."""
    if compiler_type == "msvc":
        return ["/openmp"], []
    if sys.platform == "darwin":
        return ["-Xpreprocessor", "-fopenmp"], ["-lomp"]
    return ["-fopenmp"], ["-fopenmp"]


def _env_flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class BuildExt(build_ext):
    """build_ext that probes OpenMP support and sets portable optimisation flags."""

    def _compiler_supports_openmp(self, compile_args, link_args):
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "probe_openmp.c")
            with open(source, "w") as f:
                f.write(OPENMP_PROBE)
            try:
                objects = self.compiler.compile(
                    [source], output_dir=tmp, extra_postargs=compile_args
                )
                self.compiler.link_executable(
                    objects, "probe_openmp", output_dir=tmp, extra_postargs=link_args
                )
            except Exception:  # any compile or link failure means "no OpenMP"
                return False
        return True

    def build_extensions(self):
        compile_args, link_args = [], []
        if self.compiler.compiler_type == "msvc":
            compile_args.append("/O2")
        else:
            # -pthread: the work-sharing pool of _pool.h starts POSIX threads
            # -fno-math-errno: sqrt need not set errno, so it vectorizes (AdamW);
            # results are unchanged
            compile_args += ["-O3", "-fno-strict-aliasing", "-fno-math-errno", "-pthread"]
            link_args.append("-pthread")

        use_openmp = False
        if _env_flag("REGCORE_DISABLE_OPENMP"):
            print("regcore: OpenMP disabled by REGCORE_DISABLE_OPENMP")
        else:
            omp_compile, omp_link = _openmp_flags(self.compiler.compiler_type)
            use_openmp = self._compiler_supports_openmp(omp_compile, omp_link)
            if use_openmp:
                compile_args += omp_compile
                link_args += omp_link
            print(f"regcore: OpenMP {'enabled' if use_openmp else 'not available; serial build'}")

        for ext in self.extensions:
            ext.extra_compile_args = list(ext.extra_compile_args or []) + compile_args
            ext.extra_link_args = list(ext.extra_link_args or []) + link_args
        super().build_extensions()


def _extensions():
    from Cython.Build import cythonize

    kernels = Extension(
        "regcore._kernels",
        sources=["src/regcore/_kernels.pyx"],
        include_dirs=["src/regcore"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    return cythonize(
        [kernels],
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "initializedcheck": False,
            "cdivision": True,
            "embedsignature": True,
        },
        annotate=_env_flag("REGCORE_ANNOTATE"),
    )


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
