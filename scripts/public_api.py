#!/usr/bin/env python3
"""The public API of the `keyrot` crate, one item a line, from rustdoc's JSON.

Usage: python3 scripts/public_api.py RUSTDOC_JSON > core/public-api.txt

Every item a Rust user can name is listed under the path they name it by
(re-exports are followed, and listed where they are exported): modules,
functions with their signatures, structs with their public fields, enums with
their variants, traits, constants, type aliases, and the methods and trait
impls of each type. The listing is sorted, so that a change of the API shows
as lines added or removed in review. `scripts/public-api.sh` writes it and
checks it (the README's test command runs the check).
"""

import json
import sys


def main() -> None:
    doc = json.load(open(sys.argv[1]))
    index = doc["index"]
    lines = set()

    def item(i):
        return index.get(str(i))

    def ty(t) -> str:
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "primitive":
            return v
        if kind == "generic":
            return v
        if kind == "resolved_path":
            return v["path"].split("::")[-1] + args(v.get("args"))
        if kind == "borrowed_ref":
            life = (v["lifetime"] + " ") if v.get("lifetime") else ""
            return "&" + life + ("mut " if v["is_mutable"] else "") + ty(v["type"])
        if kind == "slice":
            return "[" + ty(v) + "]"
        if kind == "array":
            return "[" + ty(v["type"]) + "; " + v["len"] + "]"
        if kind == "tuple":
            return "(" + ", ".join(ty(x) for x in v) + ")"
        if kind == "impl_trait":
            return "impl " + " + ".join(bound(b) for b in v)
        if kind == "dyn_trait":
            return "dyn " + " + ".join(bound({"trait_bound": p}) for p in v["traits"])
        if kind == "qualified_path":
            return f"<{ty(v['self_type'])}>::{v['name']}"
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + ty(v["type"])
        if kind == "function_pointer":
            return "fn(" + ", ".join(ty(x[1]) for x in v["sig"]["inputs"]) + ") -> " + ty(v["sig"]["output"])
        return kind

    def args(a) -> str:
        if not a:
            return ""
        if "angle_bracketed" in a:
            parts = []
            for x in a["angle_bracketed"]["args"]:
                if "type" in x:
                    parts.append(ty(x["type"]))
                elif "lifetime" in x:
                    parts.append(x["lifetime"])
                elif "const" in x:
                    parts.append(str(x["const"].get("expr", "_")))
            for c in a["angle_bracketed"].get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    parts.append(f"{c['name']} = {ty(binding['equality'].get('type'))}")
                else:
                    parts.append(c["name"])
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            return "(" + ", ".join(ty(x) for x in p["inputs"]) + ")" + (" -> " + ty(p["output"]) if p.get("output") else "")
        return ""

    def bound(b) -> str:
        if "trait_bound" in b:
            t = b["trait_bound"]["trait"]
            return t["path"].split("::")[-1] + args(t.get("args"))
        if "outlives" in b:
            return b["outlives"]
        return "?"

    def generics(g) -> str:
        params = []
        for p in g.get("params", []):
            k = p["kind"]
            if "lifetime" in k:
                params.append(p["name"])
            elif "type" in k:
                if k["type"].get("is_synthetic"):
                    continue
                bounds = k["type"].get("bounds", [])
                params.append(p["name"] + (": " + " + ".join(bound(b) for b in bounds) if bounds else ""))
            elif "const" in k:
                params.append("const " + p["name"] + ": " + ty(k["const"]["type"]))
        return "<" + ", ".join(params) + ">" if params else ""

    def sig(name, f) -> str:
        s = f["sig"]
        inputs = ", ".join(("self" if n == "self" and t == {"generic": "Self"} else (ty(t) if n == "self" else f"{n}: {ty(t)}")) for n, t in s["inputs"])
        out = "" if s.get("output") is None else " -> " + ty(s["output"])
        const = "const " if f["header"]["is_const"] else ""
        return f"{const}fn {name}{generics(f['generics'])}({inputs}){out}"

    def impls(path, ids):
        for i in ids:
            it = item(i)
            if it is None:
                continue
            imp = it["inner"]["impl"]
            if imp.get("is_synthetic") or imp.get("blanket_impl") is not None:
                continue
            if imp.get("trait"):
                lines.add(f"impl {imp['trait']['path'].split('::')[-1]}{args(imp['trait'].get('args'))} for {path}")
                continue
            for m in imp["items"]:
                mi = item(m)
                if mi is None or mi.get("visibility") != "public":
                    continue
                if "function" in mi["inner"]:
                    lines.add(f"pub {sig(path + '::' + mi['name'], mi['inner']['function'])}")
                elif "assoc_const" in mi["inner"]:
                    lines.add(f"pub const {path}::{mi['name']}: {ty(mi['inner']['assoc_const']['type'])}")

    seen = set()

    def walk(i, path):
        it = item(i)
        if it is None:
            return
        inner = it["inner"]
        (kind, v), = inner.items()
        key = (i, path)
        if key in seen:
            return
        seen.add(key)
        if kind == "module":
            lines.add(f"pub mod {path}")
            for c in v["items"]:
                ci = item(c)
                if ci is None or ci.get("visibility") != "public":
                    continue
                name = ci["name"]
                if "use" in ci["inner"]:
                    u = ci["inner"]["use"]
                    if u["id"] is not None and not u["is_glob"]:
                        walk(u["id"], f"{path}::{u['name']}")
                    continue
                walk(c, f"{path}::{name}")
        elif kind == "function":
            lines.add(f"pub {sig(path, v)}")
        elif kind == "struct":
            lines.add(f"pub struct {path}{generics(v['generics'])}")
            k = v["kind"]
            fields = k.get("plain", {}).get("fields", []) if isinstance(k, dict) else []
            for f in fields:
                fi = item(f)
                if fi and fi.get("visibility") == "public":
                    lines.add(f"pub field {path}::{fi['name']}: {ty(fi['inner']['struct_field'])}")
            if isinstance(k, dict) and "tuple" in k:
                lines.add(f"pub tuple struct {path}({len(k['tuple'])})")
            impls(path, v["impls"])
        elif kind == "enum":
            lines.add(f"pub enum {path}{generics(v['generics'])}")
            for var in v["variants"]:
                vi = item(var)
                if vi:
                    lines.add(f"pub variant {path}::{vi['name']}")
            impls(path, v["impls"])
        elif kind == "trait":
            lines.add(f"pub trait {path}")
        elif kind == "constant":
            lines.add(f"pub const {path}: {ty(v['type'])}")
        elif kind == "type_alias":
            lines.add(f"pub type {path} = {ty(v['type'])}")
        elif kind == "macro":
            lines.add(f"pub macro {path}")
        else:
            lines.add(f"pub {kind} {path}")

    walk(doc["root"], "keyrot")
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main()
