"""Diagnosis: failure signatures first; the optional LLM writes up the same evidence."""

from .signatures import Diagnosis, Signature, SignatureError, SignatureSet, load_signatures

__all__ = ["Diagnosis", "Signature", "SignatureError", "SignatureSet", "load_signatures"]
