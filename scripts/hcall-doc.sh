#!/bin/sh
# The README's hypercall table, generated from core/include/tessera/hypercall.def
# (the one description of the ABI).
#   scripts/hcall-doc.sh          print the table
#   scripts/hcall-doc.sh --write  replace the table between the README's markers
#   scripts/hcall-doc.sh --check  fail (as a one-test suite) if the README's table is stale
set -eu
cd "$(dirname "$0")/.."
table() {
	echo "| nr | call | args | checks (class:permission on target) | what it does |"
	echo "| --- | --- | --- | --- | --- |"
	sed -n 's/^HCALL(\([0-9]*\), *\([a-z_]*\), *\([0-9]\), *\([a-z_]*\), *\([a-z_]*\), *\([A-Z]*\), *"\(.*\)")$/\1\t\2\t\3\t\4\t\5\t\6\t\7/p' \
		core/include/tessera/hypercall.def |
		awk -F '\t' '{ gsub(/\|/, "\\|", $7); printf "| %s | `%s` | %s | `%s:%s` on %s | %s |\n", $1, $2, $3, $4, $5, tolower($6), $7 }' 
}
splice() {
	awk -v table="$1" '
		/<!-- hypercalls:begin -->/ { print; print table; skip = 1; next }
		/<!-- hypercalls:end -->/ { skip = 0 }
		!skip { print }' README.md
}
case "${1:-}" in
--write)
	splice "$(table)" >README.md.new && mv README.md.new README.md ;;
--check)
	if splice "$(table)" | cmp -s - README.md; then
		echo "PASS readme_hypercall_table_matches_hypercall_def"
		echo "1 passed, 0 failed"
	else
		echo "FAIL readme_hypercall_table_matches_hypercall_def: run scripts/hcall-doc.sh --write"
		echo "0 passed, 1 failed"
		exit 1
	fi ;;
*)
	table ;;
esac
