#!/usr/bin/env python3
"""Size limits that `make lint` enforces (docs/style.md):

  * no file outside the tests in eventstore/, projections/, domain/ or commands/ is over
    MAX_FILE_LINES lines;
  * no function outside tests/ and bench/ is over MAX_FUNCTION_LINES lines, counted from the first
    line of its declaration to its closing brace.

Functions are found by matching braces in the source with comments, string and character literals
and preprocessor lines blanked out: a block that opens at namespace or class scope after a header
holding `)` (and not a control statement, class or enum) is a function body. Lambdas and local
classes count towards the function around them.

Run from anywhere in the repository; prints `file:line: ...` for every breach and exits 1 if any.
"""
import argparse
import pathlib
import re
import subprocess
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
SIZED_DIRS = ("eventstore/", "projections/", "domain/", "commands/")
NO_LONG_FUNCTIONS_IN = ("tests/", "bench/")
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc")

_RAW_STRING = re.compile(r'(?:u8|[uUL])?R"([^ ()\\\t\n]{0,16})\(')
_NUMBER_BEFORE = re.compile(r"(?:\b0[xXbB])?[0-9A-Fa-f][0-9A-Fa-f']*$")
_CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|try)\s*(\(|$)")
_CTOR_INIT_BRACE = re.compile(r"\)\s*(noexcept\b[^:]*)?:(?!:).*[\w>]$")
_NAME = re.compile(r"(operator\s*\S+?|[~\w:<>]+)\s*\(")


def _blank(text):
    """The same text with every character but newlines replaced by a space."""
    return re.sub(r"[^\n]", " ", text)


def code_only(src):
    """`src` with comments, literals and preprocessor lines blanked; line numbers are kept."""
    out = []
    i, n = 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif (m := _RAW_STRING.match(src, i)) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            j = src.find(")" + m.group(1) + '"', m.end())
            j = n if j < 0 else j + len(m.group(1)) + 2
        elif src[i] == "'" and _NUMBER_BEFORE.search(src, 0, i) and not src[i - 1].isspace():
            # A digit separator (1'000), not a character literal.
            out.append(" ")
            i += 1
            continue
        elif src[i] in "\"'":
            quote, j = src[i], i + 1
            while j < n and src[j] != quote and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
        else:
            out.append(src[i])
            i += 1
            continue
        out.append(_blank(src[i:j]))
        i = j
    return re.sub(r"(?m)^[ \t]*#.*(?:\\\n.*)*$", lambda m: _blank(m.group(0)), "".join(out))


def _kind(header):
    """What a block opened after `header` (the code since the last `;`, `{` or `}`) is."""
    h = " ".join(header.split())
    if re.match(r"(inline\s+)?namespace\b", h) or h.startswith('extern "'):
        return "namespace"
    if re.search(r"\b(class|struct|union)\b", h) and "(" not in h.split(":")[0]:
        return "class"
    if _CTOR_INIT_BRACE.search(h):
        return "init"  # `T::T(...) : member_{...}`: the header goes on after the braces
    if re.search(r"\benum\b", h) or ("=" in h.split("(")[0] and "operator" not in h):
        return "other"  # an enum, or a braced initializer
    if ")" in h and not _CONTROL.search(h):
        return "function"
    return "other"


def long_functions(path, text, limit):
    """(path, first line, length, name) for each function in `text` over `limit` lines."""
    found = []
    stack = []  # (kind, header, first line) of each open block
    header, header_line, line = "", 1, 1
    for ch in code_only(text):
        if ch == "{":
            at_scope = not stack or stack[-1][0] in ("namespace", "class")
            kind = _kind(header) if at_scope else "inner"
            stack.append((kind, header, header_line))
            if kind != "init":
                header = ""
        elif ch == "}":
            if stack and stack[-1][0] == "init":
                _, header, _ = stack.pop()
                header += "{}"
                continue
            if stack:
                kind, h, first = stack.pop()
                length = line - first + 1
                if kind == "function" and length > limit:
                    m = _NAME.search(" ".join(h.split()))
                    found.append((path, first, length, m.group(1) if m else h.strip()[:60]))
            header = ""
        elif ch == ";":
            header = ""
        else:
            if not header.strip() and not ch.isspace():
                header_line = line
            header += ch
        if ch == "\n":
            line += 1
    return found


def tracked_files(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True, capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-file-lines", type=int, default=MAX_FILE_LINES)
    parser.add_argument("--max-function-lines", type=int, default=MAX_FUNCTION_LINES)
    args = parser.parse_args()

    root = pathlib.Path(
        subprocess.run(["git", "rev-parse", "--show-toplevel"], check=True, capture_output=True, text=True).stdout.strip()
    )
    failures = 0
    for rel in tracked_files(root):
        path = root / rel
        if not path.is_file():
            continue  # deleted in the working tree
        text = path.read_text(encoding="utf-8", errors="replace")
        if rel.startswith(SIZED_DIRS) and not re.search(r"_test\.[a-z]+$", rel):
            lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
            if lines > args.max_file_lines:
                print(f"{rel}:1: {lines} lines, over the limit of {args.max_file_lines} for a file in "
                      f"{', '.join(d.rstrip('/') for d in SIZED_DIRS)}")
                failures += 1
        if rel.endswith(SOURCE_SUFFIXES) and not rel.startswith(NO_LONG_FUNCTIONS_IN):
            for _, first, length, name in long_functions(rel, text, args.max_function_lines):
                print(f"{rel}:{first}: function '{name}' is {length} lines, over the limit of "
                      f"{args.max_function_lines}")
                failures += 1
    if failures:
        print(f"check_sizes: {failures} over the limits", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
