#!/bin/sh
# Counts code lines (not blank, not comment-only) of the files given.
# Prints a per-area breakdown and, last, the total for the x86-64 image.
awk '
FNR == 1 { f = FILENAME; incomment = 0 }
{
	line = $0
	gsub(/^[ \t]+|[ \t]+$/, "", line)
	if (incomment) { if (line ~ /\*\//) { incomment = 0; sub(/.*\*\//, "", line) } else next }
	if (line ~ /^\/\*/) { if (line !~ /\*\//) { incomment = 1; next } sub(/\/\*.*\*\//, "", line) }
	if (line ~ /^\/\// || line ~ /^#[ \t]*$/ || line == "" || line ~ /^\*/) next
	if (f ~ /\.S$/ && line ~ /^\/\*/) next
	area = f ~ /arch\/x86/ ? "core/arch/x86" : f ~ /include/ ? "core/include" : "core (portable)"
	n[area]++; total++
}
END {
	for (a in n) printf "  %-18s %5d\n", a, n[a]
	printf "core SLOC (x86-64 image): %d\n", total
}' "$@"
