/* empty: a program that does nothing, linked statically. Its cost under
 * bench/spawn is the floor of every process-level figure: exec, a static
 * start-up and exit, plus the launcher's own spawn and wait. */
int
main(void)
{
	return 0;
}
