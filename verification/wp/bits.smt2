; The facts verification/wp/prelude.h assumes (axiomatic Bits), proven on
; bit-vectors, which is what C's unsigned arithmetic is: each check must be unsat.
(set-logic QF_BV)
; land_bound32: 0 <= (x & m) <= x && (x & m) <= m, 32 bits
(push 1)
(declare-const x (_ BitVec 32))
(declare-const m (_ BitVec 32))
(assert (not (and (bvule (bvand x m) x) (bvule (bvand x m) m))))
(check-sat)
(pop 1)
; land_bound64: the same, 64 bits
(push 1)
(declare-const x (_ BitVec 64))
(declare-const m (_ BitVec 64))
(assert (not (and (bvule (bvand x m) x) (bvule (bvand x m) m))))
(check-sat)
(pop 1)
; bit_set_nonzero: 0 <= k < 64 && ((x >> k) & 1) != 0 ==> x != 0
(push 1)
(declare-const x (_ BitVec 64))
(declare-const k (_ BitVec 64))
(assert (bvult k #x0000000000000040))
(assert (not (= (bvand (bvlshr x k) #x0000000000000001) #x0000000000000000)))
(assert (= x #x0000000000000000))
(check-sat)
(pop 1)
