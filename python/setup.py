"""Builds the latent Python package's extension.

    pip install ./python              # from the repository: builds liblatent here, links it in
    pip wheel ./python -w dist        # a wheel carrying liblatent (Debian's libraries stay shared)

Where the library comes from, in order: LATENT_PREFIX (an installed latent: `make install`,
as `make install-python` does), the repository around this folder (its Makefile builds
build/liblatent.a, which is linked into the extension, so the package needs no
liblatent.so at run time), else pkg-config's latent. Debian's packages the library uses
(OpenBLAS, LAPACKE, cJSON, Oniguruma, utf8proc, libpng, libjpeg, libwebp, cairo, libdeflate,
zlib) must be installed: `sh tools/setup.sh` in the repository installs them."""
import os
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SYSLIBS = ["lapacke", "openblas", "cjson", "onig", "utf8proc", "png", "jpeg", "webp", "cairo", "deflate", "z", "m"]


def installed(prefix):
    inc, lib = os.path.join(prefix, "include"), os.path.join(prefix, "lib")
    return dict(include_dirs=[inc], library_dirs=[lib], libraries=["latent"], runtime_library_dirs=[lib])


def from_repository():
    """liblatent.a built by the repository's Makefile, linked into the extension"""
    build = os.path.join(ROOT, "build")
    subprocess.run(["make", "-C", ROOT, "-s", "build/liblatent.a"], check=True)
    return dict(include_dirs=[os.path.join(ROOT, "include")],
                extra_objects=[os.path.join(build, "liblatent.a")], libraries=SYSLIBS)


def locate():
    if os.environ.get("LATENT_PREFIX"):
        return installed(os.environ["LATENT_PREFIX"])
    if os.path.isfile(os.path.join(ROOT, "Makefile")) and os.path.isdir(os.path.join(ROOT, "src", "core")):
        return from_repository()
    try:
        out = subprocess.run(["pkg-config", "--variable=prefix", "latent"], capture_output=True, text=True, check=True)
        return installed(out.stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        raise SystemExit("latent: no library found: set LATENT_PREFIX to an installed latent (make install), "
                         "or build from the repository (pip install ./python in a clone)")


setup(ext_modules=[Extension("latent._latent", ["latent/_latent.c"], extra_compile_args=["-std=c11", "-pthread"],
                             extra_link_args=["-pthread"], **locate())])
