# Checks a serial log against a test's rules.
#   awk -f check.awk RULES LOG
# RULES: one rule a line, "KIND<TAB>PATTERN":
#   R       PATTERN must appear on some line
#   F       PATTERN must not appear on any line
#   O<n>    ordered group n: its patterns must appear in the order given, each on a
#           later line than the one matching the previous pattern
# A PATTERN is a fixed string matched anywhere in a line; a leading '^' anchors it
# at the start of the line. Carriage returns and terminal escape sequences (GRUB,
# OVMF) are removed from the log first. Prints one failure reason a line; no
# output means the log passed.

function matches(line, pat) {
	if (substr(pat, 1, 1) == "^")
		return index(line, substr(pat, 2)) == 1
	return index(line, pat) > 0
}

FNR == NR {
	tab = index($0, "\t")
	if (!tab)
		next
	kind = substr($0, 1, tab - 1)
	pat = substr($0, tab + 1)
	if (kind == "R") {
		req[++nreq] = pat
	} else if (kind == "F") {
		forb[++nforb] = pat
	} else if (kind ~ /^O/) {
		if (!(kind in gsize)) {
			groups[++ngroups] = kind
			gsize[kind] = 0
			gpos[kind] = 1
		}
		gpat[kind, ++gsize[kind]] = pat
	}
	next
}

{
	line = $0
	gsub(/\r/, "", line)
	gsub(/\033\[[0-9;=?]*[A-Za-z]/, "", line)
	for (i = 1; i <= nreq; i++)
		if (!(i in seen) && matches(line, req[i]))
			seen[i] = 1
	for (i = 1; i <= nforb; i++)
		if (!(i in hit) && matches(line, forb[i]))
			hit[i] = FNR ": " line
	for (g = 1; g <= ngroups; g++) {
		k = groups[g]
		if (gpos[k] <= gsize[k] && matches(line, gpat[k, gpos[k]]))
			gpos[k]++
	}
}

END {
	for (i = 1; i <= nreq; i++)
		if (!(i in seen))
			print "missing \"" req[i] "\""
	for (g = 1; g <= ngroups; g++) {
		k = groups[g]
		if (gpos[k] <= gsize[k]) {
			if (gpos[k] == 1)
				print "missing \"" gpat[k, 1] "\""
			else
				print "out of order: no \"" gpat[k, gpos[k]] "\" after \"" gpat[k, gpos[k] - 1] "\""
		}
	}
	for (i = 1; i <= nforb; i++)
		if (i in hit)
			print "forbidden \"" forb[i] "\" at line " hit[i]
}
