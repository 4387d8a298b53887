/* The fuzzing domain's record interpreter (exec.c). */
#ifndef FUZZDOM_EXEC_H
#define FUZZDOM_EXEC_H
#include <stdint.h>

/* Memory above the image, [scratch, mem): where record data and folded addresses go. */
void exec_init(uint64_t mem_bytes);
uint64_t exec_scratch(void);
uint64_t exec_image_end(void);
/* Run the records in buf[0, len); their statuses into status[] (at most max); how many ran. */
uint32_t exec_records(const uint8_t *buf, uint32_t len, int64_t *status, uint32_t max);
#endif
