"""Builds the latent Python package against an installed liblatent.so.

    make install                # library, headers, latent.pc
    pip install ./python --no-build-isolation

The library is found through LATENT_PREFIX (as `make install-python` sets it), else
pkg-config, else /usr/local."""
import os
import subprocess

from setuptools import Extension, setup


def flags():
    prefix = os.environ.get("LATENT_PREFIX")
    if not prefix:
        try:
            out = subprocess.run(["pkg-config", "--variable=prefix", "latent"], capture_output=True, text=True, check=True)
            prefix = out.stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            prefix = "/usr/local"
    return [os.path.join(prefix, "include")], [os.path.join(prefix, "lib")]


inc, lib = flags()
setup(
    name="latent",
    version="0.1.0",
    description="embeddings in C: word2vec, vector store, search, sentence encoders",
    packages=["latent"],
    ext_modules=[Extension("latent._latent", ["latent/_latent.c"], include_dirs=inc, library_dirs=lib,
                           libraries=["latent"], runtime_library_dirs=lib, extra_compile_args=["-std=c11"])],
    python_requires=">=3.8",
    install_requires=["numpy"],
)
