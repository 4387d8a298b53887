/*
 * The full-system fuzzer's channel (fuzz/system/README.md): the host program
 * fuzz/system/driver.py and a fuzzing domain (driver-domains/fuzz) exchange frames
 * over the domain's virtio-console: a 4-byte magic, a little-endian u32 length, the body.
 *   "TFZH" domain -> host, when the domain starts: struct fzs_hello
 *   "TFZI" host -> domain: records (fuzzrec.h), at most FZS_INPUT_MAX bytes
 *   "TFZO" domain -> host: u32 records run, then each one's i64 status
 *   "TFZE" domain -> host: the frame was refused; the stream starts again
 * The domain runs an input's records in order and answers before it reads the next
 * frame; a record that kills it (a fault, a forbidden instruction) gets no answer,
 * the core restarts it (restart=) and the new instance says hello.
 */
#ifndef FUZZ_FUZZSYS_H
#define FUZZ_FUZZSYS_H
#include <stdint.h>

#define FZS_VERSION 1
#define FZS_HDR_SIZE 8
#define FZS_INPUT_MAX 4096
#define FZS_RECORDS_MAX (FZS_INPUT_MAX / 28)
#define FZS_PEERS 4 /* ids in the hello: fuzza, fuzzb, sentinel, sentinel1 */

struct fzs_hello {
	uint32_t version;
	uint32_t domid;
	uint64_t mem_bytes;
	uint64_t scratch_gpa;   /* [scratch_gpa, mem_bytes): where data and guest addresses go */
	uint64_t image_end;     /* below it: page tables, code, stack; no argument reaches it */
	uint32_t peer[FZS_PEERS]; /* domain_lookup of each, or ~0 */
	char name[16];
};
#endif
