/* The verdict: exit code, reason, differences, and the facts behind them. */
#include "tool.h"
#include <stdarg.h>
#include <string.h>

static const struct {
	int code;
	const char *name;
} classes[] = {
	{ ATT_TRUSTED, "trusted" },
	{ ATT_USAGE, "usage" },
	{ ATT_TRANSPORT, "transport" },
	{ ATT_STATE, "state" },
	{ ATT_INPUT, "input" },
	{ ATT_LOG, "log-malformed" },
	{ ATT_QUOTE, "quote-malformed" },
	{ ATT_SIGNATURE, "signature" },
	{ ATT_NONCE, "nonce" },
	{ ATT_STALE, "stale" },
	{ ATT_PCR_SELECTION, "pcr-selection" },
	{ ATT_REPLAY, "replay-mismatch" },
	{ ATT_MEASUREMENT, "measurement-differs" },
	{ ATT_SIGNER, "wrong-signer" },
	{ ATT_EK_CERT, "ek-certificate" },
	{ ATT_EK_UNTRUSTED, "ek-untrusted" },
	{ ATT_AK_REFUSED, "ak-refused" },
	{ ATT_ACTIVATION, "activation" },
};

const char *att_exit_class(int code)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].code == code)
			return classes[i].name;
	return "error";
}

int att_fail(struct att_report *r, int code, const char *fmt, ...)
{
	va_list ap;
	if (r->code)
		return r->code; /* the first failure is the verdict */
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return code;
}

void att_diff(struct att_report *r, uint32_t event, const char *kind, const char *fmt, ...)
{
	va_list ap;
	struct att_diff *d;
	if (r->ndiffs >= ATT_MAX_DIFFS) {
		r->dropped++;
		return;
	}
	d = &r->diff[r->ndiffs++];
	d->event = event;
	snprintf(d->kind, sizeof(d->kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
}

/* What the evidence says, and does not say, about what ran before the core. */
static const char *firmware_note(const char *boot_path)
{
	if (!strcmp(boot_path, "multiboot2-efi"))
		return "UEFI firmware and GRUB EFI ran first; their measurements (PCRs 0-9) are not "
		       "in this manifest's quote, so they were not checked";
	if (!strcmp(boot_path, "tboot"))
		return "tboot launched the core; the DRTM PCRs 17-19 are not in this manifest's "
		       "quote, so the launch was not checked";
	return "BIOS path: the loader measured nothing (no PCR 8/9 exist on it) and the "
	       "firmware's PCRs 0-7 are not in this manifest's quote: nothing before the core was "
	       "checked, the core's own measurements are all the evidence";
}

static void print_text(const struct att_report *r, FILE *out)
{
	if (r->code == ATT_TRUSTED)
		fprintf(out, "trusted: every measurement matches the golden manifest\n");
	else
		fprintf(out, "%s (%s, exit %d): %s\n", r->code < ATT_LOG ? "error" : "untrusted",
			att_exit_class(r->code), r->code, r->reason);
	for (unsigned i = 0; i < r->ndiffs; i++)
		fprintf(out, "  %s\n", r->diff[i].text);
	if (r->dropped)
		fprintf(out, "  ... and %u more differences\n", r->dropped);
	if (r->have_quote)
		fprintf(out, "quote: resetCount %u restartCount %u clock %llu safe %s\n",
			r->reset_count, r->restart_count, (unsigned long long)r->clock,
			r->safe ? "yes" : "no");
	if (r->have_log) {
		fprintf(out, "log: %u events, boot path %s\n", r->events,
			r->boot_path[0] ? r->boot_path : "unknown");
		fprintf(out, "firmware and boot loader: %s\n", firmware_note(r->boot_path));
	}
}

static void print_json(const struct att_report *r, FILE *out)
{
	fprintf(out, "{\"result\":\"%s\",\"exit_code\":%d,\"class\":\"%s\",\"reason\":",
		r->code == ATT_TRUSTED ? "trusted" : r->code < ATT_LOG ? "error" : "untrusted", r->code,
		att_exit_class(r->code));
	json_str(out, r->code == ATT_TRUSTED ? "" : r->reason);
	fprintf(out, ",\"differences\":[");
	for (unsigned i = 0; i < r->ndiffs; i++) {
		fprintf(out, "%s{\"event\":%u,\"kind\":", i ? "," : "", r->diff[i].event);
		json_str(out, r->diff[i].kind);
		fprintf(out, ",\"text\":");
		json_str(out, r->diff[i].text);
		fprintf(out, "}");
	}
	fprintf(out, "],\"differences_dropped\":%u", r->dropped);
	if (r->have_quote) {
		fprintf(out, ",\"quote\":{\"nonce\":");
		json_hex(out, r->nonce, sizeof(r->nonce));
		fprintf(out, ",\"reset_count\":%u,\"restart_count\":%u,\"clock\":%llu,\"safe\":%s,"
			     "\"firmware_version\":\"%016llx\",\"pcr_digest\":",
			r->reset_count, r->restart_count, (unsigned long long)r->clock,
			r->safe ? "true" : "false", (unsigned long long)r->firmware);
		json_hex(out, r->pcr_digest, r->pcr_digest_len);
		fprintf(out, "}");
	}
	if (r->have_log) {
		fprintf(out, ",\"log\":{\"events\":%u,\"boot_path\":", r->events);
		json_str(out, r->boot_path);
		fprintf(out, "}");
	}
	fprintf(out, "}\n");
}

void att_report_print(const struct att_report *r, bool json, FILE *out)
{
	if (json)
		print_json(r, out);
	else
		print_text(r, out);
}
