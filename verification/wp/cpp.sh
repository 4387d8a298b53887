#!/bin/sh
# Frama-C's preprocessor (-cpp-command): gcc -E with, for a source file FILE.c,
# the proof prelude forced in and verification/wp/files/FILE.h when there is one
# (stubs standing for what that file calls). Frama-C also runs it on the text of
# ACSL annotations alone (no -D__FRAMAC__): those get nothing added.
here=$(dirname "$0")
extra=
case " $* " in
*" -D__FRAMAC__ "*)
	extra="-Icore/include -Itests/sim/include -include $here/prelude.h"
	for a in "$@"; do
		case $a in
		*.c) f=$here/files/$(basename "$a" .c).h
		     [ -f "$f" ] && extra="$extra -include $f" ;;
		esac
	done ;;
esac
exec gcc -C -E -std=c11 $extra "$@"
