/* The 16550 UART at COM1, once the core has handed it over (console_claim). */
#ifndef CONSOLE_UART_H
#define CONSOLE_UART_H
#include <stddef.h>

void uart_write(const char *s, size_t n);
/* Print "[name] " and one line of untrusted bytes, escaped as the core does. */
void uart_line(const char *name, const char *s, size_t n);
/* Start a line of our own unless the last byte ended one. */
void uart_newline_if_open(void);
#endif
