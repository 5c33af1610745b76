#!/bin/sh
# check_exports.sh <objdump> <dll> <name...>: the DLL's export table holds exactly these names.
objdump=$1 dll=$2
shift 2
want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
got=$("$objdump" -p "$dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' \
      | sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*\([A-Za-z_@0-9]*\).*/\1/p' | sort | tr '\n' ' ')
echo "exports of $(basename "$dll"): $got"
[ "$got" = "$want" ] || { echo "expected exactly: $want"; exit 1; }
