"""The binding's hand-written mirrors cannot drift from the headers: every
prototype's result and argument types are read from include/rgrbm/*.h and
compared with rgrbm._core._PROTOTYPES; struct layouts, enums and macros are
compared with what tests/struct_layout.c prints (the C compiler's view)."""
import ctypes
import glob
import json
import os
import re
import subprocess

import pytest

from rgrbm import _core as C

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(C.__file__))))
# rgrbm/mpi.h belongs to librgrbm_mpi, which the package does not bind.
HEADERS = sorted(h for h in glob.glob(os.path.join(ROOT, "include", "rgrbm", "*.h"))
                 if os.path.basename(h) != "mpi.h")
pytestmark = pytest.mark.skipif(not HEADERS, reason="not run from a source tree")

STRUCTS = {"rgrbm_exact": C.Exact_, "rgrbm_estimate": C.Estimate_, "rgrbm_thermo": C.Thermo_,
           "rgrbm_cd_options": C.CdOptions, "rgrbm_receptive_summary": C.Locality_,
           "rgrbm_ais_options": C.AisOptions, "rgrbm_vrg_report": C.VrgReport_,
           "rgrbm_mcrg_options": C.McrgOptions, "rgrbm_mcrg_result": C.McrgResult_,
           "rgrbm_mcrg_exponent": C.McrgExponent_, "rgrbm_rg_dims": C.RgDims_,
           "rgrbm_rg_placement": C.RgPlacement_}
SCALARS = {"int": ctypes.c_int, "unsigned": ctypes.c_uint, "size_t": ctypes.c_size_t,
           "uint64_t": ctypes.c_uint64, "double": ctypes.c_double, "void": None}
POINTERS = {"float": C._float_p, "double": C._double_p, "int8_t": C._c_int8_p,
            "int": C._int_p, "char": ctypes.c_char_p}


def header_text():
    text = "\n".join(open(h).read() for h in HEADERS)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def typedefs(text):
    enums = set(re.findall(r"typedef enum (\w+)", text))
    handles = set(re.findall(r"typedef struct \w+ (\w+);", text))
    return enums, handles


def ctype_of(decl, enums, handles):
    """The ctypes type the binding must use for a C declaration's type."""
    decl = re.sub(r"\bconst\b", "", decl).strip()
    stars = decl.count("*")
    base = decl.replace("*", "").strip()
    if stars == 0:
        return ctypes.c_int if base in enums else SCALARS[base]
    if stars == 2 and base in handles:
        return C._handle_p  # a constructor's out-pointer
    if base in handles:
        return ctypes.c_void_p
    if base in enums:
        return C._int_p  # an enum written through a pointer
    if base in STRUCTS:
        return ctypes.POINTER(STRUCTS[base])
    if base == "void":
        return ctypes.c_void_p
    return POINTERS[base]


def header_prototypes():
    text = header_text()
    enums, handles = typedefs(text)
    protos = {}
    for ret, name, args in re.findall(r"RGRBM_API\s+([\w\s\*]+?)\s*\**\s*\b(rgrbm_\w+)\s*\((.*?)\);",
                                      text, flags=re.S):
        # The result's stars sit between the type and the name.
        full = re.search(r"RGRBM_API\s+([\w\s\*]+?)\b" + name + r"\s*\(", text).group(1)
        params = [] if args.strip() in ("", "void") else [
            re.sub(r"\s*\b\w+$", "", a.strip()) for a in args.split(",")]
        protos[name] = (ctype_of(full, enums, handles),
                        [ctype_of(p, enums, handles) for p in params])
    return protos


def binding_result(restype):
    if restype is C._STATUS:
        return ctypes.c_int
    if isinstance(restype, C._Nonzero):
        return restype.ctype
    return restype


def test_every_prototype_matches_its_header():
    headers = header_prototypes()
    declared = {name: (binding_result(r), args) for name, r, args in C._PROTOTYPES}
    assert set(declared) == set(headers)
    wrong = {name: (declared[name], headers[name]) for name in headers
             if declared[name] != headers[name]}
    assert not wrong, wrong


def test_the_parser_sees_every_kind_of_type():
    # Guards the test above against a parser that matches nothing.
    protos = header_prototypes()
    assert protos["rgrbm_stack_create"][1] == [C._handle_p, C._int_p, ctypes.c_int,
                                               ctypes.c_int, ctypes.c_uint64]
    assert protos["rgrbm_stack_units"][0] is ctypes.c_int
    assert protos["rgrbm_stack_weights_const"][0] is C._float_p
    assert len(protos) > 80


LAYOUT = os.environ.get("RGRBM_STRUCT_LAYOUT")


@pytest.mark.skipif(not LAYOUT, reason="needs tests/struct_layout ($RGRBM_STRUCT_LAYOUT)")
def test_structs_enums_and_macros_match_the_compiler():
    c = json.loads(subprocess.run([LAYOUT], check=True, capture_output=True,
                                  text=True).stdout)
    assert set(c["structs"]) == set(STRUCTS)
    for name, cls in STRUCTS.items():
        assert ctypes.sizeof(cls) == c["structs"][name]["size"], name
        assert {f: getattr(cls, f).offset for f, _ in cls._fields_} == \
            c["structs"][name]["fields"], name
    enum_prefixes = [(C.Status, "RGRBM_"), (C.Geometry, "RGRBM_"), (C.Boundary, "RGRBM_"),
                     (C.Algorithm, "RGRBM_"), (C.Units, "RGRBM_UNITS_"),
                     (C.Pass, "RGRBM_PASS_"), (C.Products, "RGRBM_PRODUCTS_"),
                     (C.Observable, "RGRBM_OBS_"), (C.AisBase, "RGRBM_AIS_BASE_"),
                     (C.BlockRule, "RGRBM_BLOCK_"), (C.RGMode, "RGRBM_RG_")]
    ints = dict(c["integers"])
    for enum_cls, prefix in enum_prefixes:
        for member in enum_cls:
            assert ints.pop(prefix + member.name) == member.value, member
    assert ints.pop("RGRBM_VERSION_NUMBER") == C.version_number()
    for name, value in list(ints.items()) + list(c["doubles"].items()):
        assert getattr(C, name[len("RGRBM_"):]) == value, name
    # And the other way: every constant the binding declares is one the
    # compiler reported (the CPU flags are read from the header below).
    reported = {n[len("RGRBM_"):] for n in list(c["integers"]) + list(c["doubles"])}
    declared = {n for n, v in vars(C).items() if n.isupper() and not n.startswith(("CPU_FLAG_", "_"))
                and isinstance(v, (int, float)) and not isinstance(v, bool)}
    assert declared <= reported, declared - reported


def test_cpu_flags_match_the_header():
    text = header_text()
    for name in ("AVX2", "AVX512", "AVX512VBMI", "NEON", "ALL"):
        m = re.search(r"#define RGRBM_CPU_FLAG_" + name + r"\s+\(?([^\s)]+)\s*(?:<<\s*(\d+))?",
                      text)
        assert m, name
        literal = m.group(1).rstrip("uU")
        value = 0xFFFFFFFF if literal == "~0" else int(literal, 0) << int(m.group(2) or 0)
        assert getattr(C, "CPU_FLAG_" + name) == value, name
