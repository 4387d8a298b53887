#!/bin/sh
# Tables generated from the one description of the ABI and of its access checks:
#   hypercalls  from core/include/tessera/hypercall.def -> README.md
#   access      from core/include/tessera/access.def    -> README.md
# (policy/LANGUAGE.md carries `tessera-policy vocabulary`, checked by tests/policy/run.sh.)
# Each table sits between <!-- NAME:begin --> and <!-- NAME:end --> in those files.
#   scripts/hcall-doc.sh          print the tables
#   scripts/hcall-doc.sh --write  replace the tables in the files
#   scripts/hcall-doc.sh --check  fail (as a one-test suite) if a table is stale or an
#                                 HCALL/ACCESS line does not have the expected shape
set -eu
cd "$(dirname "$0")/.."
HDEF=core/include/tessera/hypercall.def
ADEF=core/include/tessera/access.def
hypercalls() {
	echo "| nr | call | args | checks (class:permission on target) | what it does |"
	echo "| --- | --- | --- | --- | --- |"
	sed -n 's/^HCALL(\([0-9]*\), *\([a-z_]*\), *\([0-9]\), *\([a-z_]*\), *\([a-z_]*\), *\([A-Z]*\), *"\(.*\)")$/\1\t\2\t\3\t\4\t\5\t\6\t\7/p' "$HDEF" |
		awk -F '\t' '{ gsub(/\|/, "\\|", $7); printf "| %s | `%s` | %s | `%s:%s` on %s | %s |\n", $1, $2, $3, $4, $5, tolower($6), $7 }'
}
access() {
	echo "| class | permission | meaning |"
	echo "| --- | --- | --- |"
	sed -n -e 's/^ACCESS_CLASS(\([a-z_]*\), *"\(.*\)")$/C\t\1\t\2/p' \
		-e 's/^ACCESS_PERM(\([a-z_]*\), *\([a-z_]*\), *"\(.*\)")$/P\t\1\t\2\t\3/p' "$ADEF" |
		awk -F '\t' '$1 == "C" { gsub(/\|/, "\\|", $3); printf "| `%s` | | %s |\n", $2, $3 }
			$1 == "P" { gsub(/\|/, "\\|", $4); printf "| | `%s` | %s |\n", $3, $4 }'
}
# Lines that look like entries but do not parse would silently vanish from the docs.
shapes_ok() {
	[ "$(grep -c '^HCALL(' "$HDEF")" -eq "$(hypercalls | tail -n +3 | wc -l)" ] &&
		[ "$(grep -c '^ACCESS_' "$ADEF")" -eq "$(access | tail -n +3 | wc -l)" ]
}
splice() { # FILE NAME TABLE
	awk -v table="$3" -v b="<!-- $2:begin -->" -v e="<!-- $2:end -->" '
		$0 == b { print; print table; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' "$1"
}
targets() { # FILE NAME pairs
	echo "README.md hypercalls"
	echo "README.md access"
}
case "${1:-}" in
--write)
	targets | while read -r f n; do
		splice "$f" "$n" "$($n)" >"$f.new" && mv "$f.new" "$f"
	done ;;
--check)
	stale=
	shapes_ok || stale="an HCALL or ACCESS line has an unexpected shape"
	for fn in $(targets | tr ' ' ':'); do
		f=${fn%%:*} n=${fn#*:}
		grep -qx "<!-- $n:begin -->" "$f" || stale="$stale $f has no $n table"
		splice "$f" "$n" "$($n)" | cmp -s - "$f" || stale="$stale $f:$n"
	done
	if [ -z "$stale" ]; then
		echo "PASS docs_tables_match_hypercall_def_and_access_def"
		echo "1 passed, 0 failed"
	else
		echo "FAIL docs_tables_match_hypercall_def_and_access_def: stale:$stale (run scripts/hcall-doc.sh --write)"
		echo "0 passed, 1 failed"
		exit 1
	fi ;;
*)
	hypercalls
	echo
	access ;;
esac
