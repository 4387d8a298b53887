/*
 * A fuzzing domain (fuzz/system/README.md): it says hello to the host program over
 * its virtio-console, then runs every input frame of hypercall records it receives
 * (exec.c) and answers with their statuses (fuzz/include/fuzzsys.h). It polls its
 * channel and yields between frames, so whatever the records do to its ports and
 * event page, the channel keeps working.
 */
#include <rt/console.h>
#include <rt/event.h>
#include <rt/hcall.h>
#include <rt/vcons.h>
#include "../../fuzz/include/fuzzsys.h"
#include "exec.h"

static uint8_t in[FZS_HDR_SIZE + FZS_INPUT_MAX];
static struct vcons_stream stream = { in, sizeof(in), 0 };
static int64_t status[FZS_RECORDS_MAX];
static uint8_t out[FZS_HDR_SIZE + 4 + 8 * FZS_RECORDS_MAX];

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void frame(const char *magic, uint8_t *f, uint32_t body)
{
	memcpy(f, magic, 4);
	put32(f + 4, body);
	if (vcons_write(f, FZS_HDR_SIZE + body) < 0)
		rt_printf("fuzz: the channel stopped taking answers\n");
}

static void hello(void)
{
	static const char *const names[FZS_PEERS] = { "fuzza", "fuzzb", "sentinel", "sentinel1" };
	static uint8_t f[FZS_HDR_SIZE + sizeof(struct fzs_hello)];
	static struct tessera_self_info si;
	static char name[TESSERA_NAME_MAX];
	struct fzs_hello h;
	long id;
	memset(&h, 0, sizeof(h));
	if (tessera_self_info(RT_GPA(&si)) < 0)
		rt_exit(2);
	exec_init(si.mem_bytes);
	h.version = FZS_VERSION;
	h.domid = si.domid;
	h.mem_bytes = si.mem_bytes;
	h.scratch_gpa = exec_scratch();
	h.image_end = exec_image_end();
	for (unsigned i = 0; i < FZS_PEERS; i++) {
		memset(name, 0, sizeof(name));
		memcpy(name, names[i], rt_strlen(names[i]));
		id = tessera_domain_lookup(RT_GPA(name));
		h.peer[i] = id < 0 ? ~0u : (uint32_t)id;
	}
	memcpy(h.name, si.name, sizeof(h.name));
	memcpy(f + FZS_HDR_SIZE, &h, sizeof(h));
	frame("TFZH", f, sizeof(h));
	rt_printf("fuzz: %s (id %u) ready, scratch 0x%lx-0x%lx\n", si.name, si.domid,
		  (unsigned long)h.scratch_gpa, (unsigned long)si.mem_bytes);
}

static void answer(const uint8_t *p, uint32_t len)
{
	uint32_t n = exec_records(p, len, status, FZS_RECORDS_MAX);
	put32(out + FZS_HDR_SIZE, n);
	for (uint32_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++)
			out[FZS_HDR_SIZE + 4 + 8 * i + b] = (uint8_t)((uint64_t)status[i] >> 8 * b);
	frame("TFZO", out, 4 + 8 * n);
}

/* One frame at the start of p[0, n): run it once it is whole. A bad header: < 0, and the
 * host, told so, starts over. */
static long take(const uint8_t *p, uint32_t n)
{
	uint32_t len;
	if (n < FZS_HDR_SIZE)
		return 0;
	len = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	if (rt_strncmp((const char *)p, "TFZI", 4) || len > FZS_INPUT_MAX) {
		frame("TFZE", out, 0);
		return -1;
	}
	if (n < FZS_HDR_SIZE + len)
		return 0;
	answer(p + FZS_HDR_SIZE, len);
	return FZS_HDR_SIZE + len;
}

int main(void)
{
	if (rt_events_init() < 0)
		return 1;
	rt_events_catch_all();
	if (vcons_init(0, 0) < 0) /* polled: the records may do anything to our ports */
		return 1;
	hello();
	for (;;)
		if (!vcons_pump(&stream, take))
			tessera_yield();
}
