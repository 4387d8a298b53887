/*
 * TPM 2.0 commands for boot (TPM 2.0 Library Part 3), big-endian on the wire. A
 * response is accepted only whole: its size field equal to the bytes received, the
 * tag the command calls for, every count bounded, every size checked, nothing left over.
 */
#include <core/console.h>
#include <core/lib.h>
#include <core/tpm.h>
#include <tessera/errno.h>

#define ST_NO_SESSIONS 0x8001u
#define ST_SESSIONS 0x8002u
#define CC_STARTUP 0x144u
#define CC_PCR_EXTEND 0x182u
#define CC_GET_CAPABILITY 0x17au
#define CC_PCR_READ 0x17eu
#define SU_CLEAR 0x0000u
#define CAP_PCRS 5u
#define RS_PW 0x40000009u  /* the empty password session */
#define PW_AUTH_LEN 9u     /* handle, empty nonce, attributes, empty HMAC */
#define HDR_LEN 10u
#define SELECT_MAX 4u      /* pcrSelect bytes: PC Client TPMs have 3 (24 PCRs) */

/* The banks a TPM may have: names and digest sizes, so that any of them can be capped. */
static const struct {
	uint16_t alg, size;
	const char *name;
} algs[] = {
	{ 0x0004, 20, "sha1" },     { 0x000b, 32, "sha256" },   { 0x000c, 48, "sha384" },
	{ 0x000d, 64, "sha512" },   { 0x0012, 32, "sm3_256" },  { 0x0027, 32, "sha3_256" },
	{ 0x0028, 48, "sha3_384" }, { 0x0029, 64, "sha3_512" },
};

static const struct tpm_ops *ops;
static struct tpm_bank banks[TPM_BANKS_MAX];
static uint32_t nbanks;
static uint8_t cbuf[TPM_BUF_MAX], rbuf[TPM_BUF_MAX];

/* A command being built (it always fits: the largest is 31 + 8 * 66 bytes). */
struct cmd {
	uint32_t len;
};

/* A response's parameters being read; bad once a read ran past the end. */
struct rsp {
	const uint8_t *p;
	uint32_t pos, len;
	bool bad;
};

static void put(struct cmd *c, uint32_t v, unsigned n)
{
	while (n--)
		cbuf[c->len++] = (uint8_t)(v >> (8 * n));
}

static struct cmd begin(uint16_t tag, uint32_t cc)
{
	struct cmd c = { 0 };
	put(&c, tag, 2);
	put(&c, 0, 4); /* size, filled in by run() */
	put(&c, cc, 4);
	return c;
}

static uint32_t get(struct rsp *r, unsigned n)
{
	uint32_t v = 0;
	if (r->len - r->pos < n) {
		r->bad = true;
		return 0;
	}
	while (n--)
		v = v << 8 | r->p[r->pos++];
	return v;
}

static const uint8_t *get_bytes(struct rsp *r, uint32_t n)
{
	const uint8_t *p = r->p + r->pos;
	if (r->len - r->pos < n) {
		r->bad = true;
		return NULL;
	}
	r->pos += n;
	return p;
}

/* The parameters were read whole and nothing follows them. */
static int done(const char *what, const struct rsp *r)
{
	if (!r->bad && r->pos == r->len)
		return 0;
	kprintf("tessera: tpm: %s: response %s\n", what, r->bad ? "cut short" : "has trailing bytes");
	return -TESSERA_EINVAL;
}

/*
 * Send the command, check the response's header; r then covers its parameters.
 * A response code other than 0 and ok_rc is the TPM refusing: -EACCES with the code.
 */
static int run(const char *what, struct cmd *c, uint32_t ok_rc, uint32_t *rc_out, struct rsp *r)
{
	uint32_t got = 0, tag, size, rc, want_tag = (uint32_t)cbuf[0] << 8 | cbuf[1];
	const char *why = NULL;
	int err;

	if (!ops)
		return -TESSERA_ENODEV;
	cbuf[2] = (uint8_t)(c->len >> 24);
	cbuf[3] = (uint8_t)(c->len >> 16);
	cbuf[4] = (uint8_t)(c->len >> 8);
	cbuf[5] = (uint8_t)c->len;
	err = ops->xfer(cbuf, c->len, rbuf, sizeof(rbuf), &got, &why);
	if (err) {
		kprintf("tessera: tpm: %s: %s\n", what, why ? why : "transport failed");
		return err;
	}
	if (got < HDR_LEN || got > sizeof(rbuf)) {
		kprintf("tessera: tpm: %s: response of %u bytes, not 10 to %u\n", what, got,
			(unsigned)sizeof(rbuf));
		return -TESSERA_EINVAL;
	}
	*r = (struct rsp){ rbuf, 0, got, false };
	tag = get(r, 2);
	size = get(r, 4);
	rc = get(r, 4);
	if (rc != TPM_RC_SUCCESS)
		want_tag = ST_NO_SESSIONS; /* an error response carries no sessions */
	if (tag != want_tag || size != got) {
		kprintf("tessera: tpm: %s: response tag 0x%04x size %u, expected tag 0x%04x size %u "
			"(bytes received)\n", what, tag, size, want_tag, got);
		return -TESSERA_EINVAL;
	}
	if (rc != TPM_RC_SUCCESS && rc != ok_rc) {
		kprintf("tessera: tpm: %s: TPM error 0x%03x\n", what, rc);
		return -TESSERA_EACCES;
	}
	if (rc_out)
		*rc_out = rc;
	*r = (struct rsp){ rbuf + HDR_LEN, 0, got - HDR_LEN, false };
	return 0;
}

static int startup(void)
{
	struct cmd c = begin(ST_NO_SESSIONS, CC_STARTUP);
	struct rsp r;
	uint32_t rc = 0;
	int err;
	put(&c, SU_CLEAR, 2);
	err = run("TPM2_Startup", &c, TPM_RC_INITIALIZE, &rc, &r);
	if (!err)
		err = done("TPM2_Startup", &r);
	if (!err)
		kprintf("tessera: tpm: %s\n", rc == TPM_RC_INITIALIZE ? "already started by firmware" :
			"started (TPM2_Startup)");
	return err;
}

/* TPMS_PCR_SELECTION i of the TPM's list: checked and, if active, kept. NULL or why not. */
static const char *add_bank(struct rsp *r, uint16_t *seen, uint32_t i)
{
	uint16_t alg = (uint16_t)get(r, 2);
	uint32_t nsel = get(r, 1), pcrs = 0;
	const uint8_t *sel;
	struct tpm_bank *b;
	if (nsel > SELECT_MAX)
		return "a bank selects more than 32 PCRs";
	sel = get_bytes(r, nsel);
	for (uint32_t k = 0; sel && k < nsel; k++)
		pcrs |= (uint32_t)sel[k] << (8 * k);
	for (uint32_t k = 0; k < i; k++)
		if (seen[k] == alg)
			return "a bank is listed twice";
	seen[i] = alg;
	if (!pcrs)
		return NULL; /* no PCR allocated (or cut short: done() says so) */
	b = &banks[nbanks++];
	*b = (struct tpm_bank){ alg, 0, -1, pcrs, NULL };
	for (uint32_t k = 0; k < ARRAY_SIZE(algs); k++)
		if (algs[k].alg == alg)
			b->size = algs[k].size, b->name = algs[k].name;
	if (!b->size)
		return "an active bank's algorithm is unknown: it cannot even be capped";
	b->hash = hash_from_tpm_alg(alg);
	if (b->hash >= 0 && hash_size((enum hash_alg)b->hash) != b->size)
		b->hash = -1;
	return NULL;
}

static int get_banks(void)
{
	struct cmd c = begin(ST_NO_SESSIONS, CC_GET_CAPABILITY);
	const char *why = NULL;
	uint16_t seen[TPM_BANKS_MAX];
	struct rsp r;
	uint32_t more, cap, count;
	int err;
	put(&c, CAP_PCRS, 4);
	put(&c, 0, 4);
	put(&c, TPM_BANKS_MAX, 4);
	err = run("TPM2_GetCapability(PCRS)", &c, 0, NULL, &r);
	if (err)
		return err;
	more = get(&r, 1);
	cap = get(&r, 4);
	count = get(&r, 4);
	if (more || cap != CAP_PCRS)
		why = "not one complete list of PCR banks";
	else if (count > TPM_BANKS_MAX)
		why = "more than 8 PCR banks";
	for (uint32_t i = 0; !why && i < count; i++)
		why = add_bank(&r, seen, i);
	if (!why && !r.bad && r.pos == r.len && !nbanks)
		why = "no active PCR bank";
	if (why) {
		kprintf("tessera: tpm: TPM2_GetCapability(PCRS): %s\n", why);
		return -TESSERA_EINVAL;
	}
	return done("TPM2_GetCapability(PCRS)", &r);
}

int tpm_attach(const struct tpm_ops *o)
{
	char line[TPM_BANKS_MAX * 10 + 1];
	uint32_t pos = 0;
	int err;

	ops = o;
	nbanks = 0;
	err = startup();
	if (!err)
		err = get_banks();
	if (err) {
		tpm_detach();
		return err;
	}
	line[0] = '\0';
	for (uint32_t i = 0; i < nbanks; i++)
		pos += (uint32_t)ksnprintf(line + pos, sizeof(line) - pos, " %s", banks[i].name);
	kprintf("tessera: tpm: %s interface, locality 0, active banks:%s\n", o->name, line);
	for (uint32_t i = 0; i < nbanks; i++)
		if (banks[i].hash < 0)
			kprintf("tessera: tpm: bank %s capped: the core cannot hash it, so its PCRs "
				"are extended with all-0xff\n", banks[i].name);
	return 0;
}

void tpm_detach(void)
{
	if (ops)
		ops->close();
	ops = NULL;
	nbanks = 0;
}

uint32_t tpm_bank_count(void)
{
	return nbanks;
}

const struct tpm_bank *tpm_bank_get(uint32_t i)
{
	return i < nbanks ? &banks[i] : NULL;
}

int tpm_pcr_extend(uint32_t pcr, const struct hash_digests *d)
{
	struct cmd c = begin(ST_SESSIONS, CC_PCR_EXTEND);
	uint32_t params, nonce;
	struct rsp r;
	int err;

	if (!ops)
		return -TESSERA_ENODEV;
	if (pcr >= TPM_PCRS)
		return -TESSERA_EINVAL;
	put(&c, pcr, 4);
	put(&c, PW_AUTH_LEN, 4);
	put(&c, RS_PW, 4);
	put(&c, 0, 2); /* nonce */
	put(&c, 0, 1); /* attributes */
	put(&c, 0, 2); /* HMAC: the empty password */
	put(&c, nbanks, 4);
	for (uint32_t i = 0; i < nbanks; i++) {
		const struct tpm_bank *b = &banks[i];
		bool have = b->hash >= 0 && d && d->banks & 1u << b->hash;
		if (b->hash >= 0 && !have)
			kprintf("tessera: tpm: pcr %u: no %s digest given; bank capped\n", pcr, b->name);
		put(&c, b->alg, 2);
		if (have)
			memcpy(cbuf + c.len, d->d[b->hash], b->size);
		else
			memset(cbuf + c.len, 0xff, b->size);
		c.len += b->size;
	}
	err = run("TPM2_PCR_Extend", &c, 0, NULL, &r);
	if (err)
		return err;
	/* No parameters, then the password session's reply: empty nonce, attributes, empty HMAC. */
	params = get(&r, 4);
	nonce = get(&r, 2);
	get(&r, 1);
	if (params || nonce || get(&r, 2)) {
		kprintf("tessera: tpm: TPM2_PCR_Extend: unexpected parameters or session reply\n");
		return -TESSERA_EINVAL;
	}
	return done("TPM2_PCR_Extend", &r);
}

int tpm_pcr_read(uint32_t pcr, uint16_t alg, uint8_t out[HASH_MAX_SIZE], uint32_t *len)
{
	struct cmd c = begin(ST_NO_SESSIONS, CC_PCR_READ);
	const struct tpm_bank *b = NULL;
	const uint8_t *dig;
	uint8_t sel[3] = { 0 };
	struct rsp r;
	int err;

	for (uint32_t i = 0; i < nbanks; i++)
		if (banks[i].alg == alg)
			b = &banks[i];
	if (!ops)
		return -TESSERA_ENODEV;
	if (!b || pcr >= TPM_PCRS)
		return -TESSERA_EINVAL;
	sel[pcr / 8] = (uint8_t)(1u << pcr % 8);
	put(&c, 1, 4);
	put(&c, alg, 2);
	put(&c, sizeof(sel), 1);
	for (uint32_t i = 0; i < sizeof(sel); i++)
		put(&c, sel[i], 1);
	err = run("TPM2_PCR_Read", &c, 0, NULL, &r);
	if (err)
		return err;
	get(&r, 4); /* pcrUpdateCounter */
	/* The selection read must be the one asked for, with exactly one digest of the bank's size. */
	if (get(&r, 4) != 1 || get(&r, 2) != alg || get(&r, 1) != sizeof(sel) ||
	    get(&r, 1) != sel[0] || get(&r, 1) != sel[1] || get(&r, 1) != sel[2] ||
	    get(&r, 4) != 1 || get(&r, 2) != b->size || !(dig = get_bytes(&r, b->size))) {
		kprintf("tessera: tpm: TPM2_PCR_Read: not the one %s digest of pcr %u asked for\n",
			b->name, pcr);
		return -TESSERA_EINVAL;
	}
	err = done("TPM2_PCR_Read", &r);
	if (err)
		return err;
	memcpy(out, dig, b->size);
	*len = b->size;
	return 0;
}

/* PCR 16 extended with bytes 0, 1, 2, ... in every bank, read back and printed. */
static int selftest(void)
{
	struct hash_digests d;
	char hex[2 * HASH_MAX_SIZE + 1];
	uint8_t v[HASH_MAX_SIZE];
	uint32_t len = 0;
	int err;

	d.banks = HASH_ALL_BANKS;
	for (uint32_t a = 0; a < HASH_ALGS; a++)
		for (uint32_t i = 0; i < HASH_MAX_SIZE; i++)
			d.d[a][i] = (uint8_t)i;
	err = tpm_pcr_extend(TPM_PCR_DEBUG, &d);
	for (uint32_t i = 0; !err && i < nbanks; i++) {
		err = tpm_pcr_read(TPM_PCR_DEBUG, banks[i].alg, v, &len);
		for (uint32_t k = 0; !err && k < len; k++)
			ksnprintf(hex + 2 * k, 3, "%02x", v[k]);
		if (!err)
			kprintf("tessera: tpm: pcr%u %s %s\n", TPM_PCR_DEBUG, banks[i].name, hex);
	}
	return err;
}

int tpm_boot(const struct boot_info *bi, const struct core_config *cc)
{
	const struct tpm_ops *o = NULL;
	struct acpi_info ai;
	const char *why = NULL;
	int err;

	if (cc->tpm == CONFIG_TPM_OFF) {
		kprintf("tessera: tpm: off (tpm=off), boot is NOT measured\n");
		return 0;
	}
	/* With ACPI, only its TPM2 table says there is a TPM; without, the arch may probe. */
	if (!acpi_scan(bi->rsdp, bi->rsdp_len, &ai, &why) && !ai.tpm2_table.len)
		why = "no ACPI TPM2 table";
	else
		o = arch_tpm_open(ai.tpm2_table.len ? &ai.tpm2 : NULL, &why);
	if (!o) {
		kprintf("tessera: tpm: %s\n", why);
		err = -TESSERA_ENODEV;
	} else {
		err = tpm_attach(o);
		if (!err && cc->tpm_selftest && (err = selftest()))
			tpm_detach();
	}
	if (!err)
		return 0;
	if (cc->tpm == CONFIG_TPM_REQUIRED)
		return err;
	kprintf("tessera: tpm: %s, boot is NOT measured\n", o ? "not usable" : "none found");
	return 0;
}
