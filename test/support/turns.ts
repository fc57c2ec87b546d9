/**
 * Waits turn by turn of the event loop (bounded in turns, never in time) until `done()`;
 * returns whether it got there. Tests wait this way for work a response or a span end set off.
 */
export async function untilDone(done: () => boolean, turns = 10_000): Promise<boolean> {
  for (let turn = 0; turn < turns && !done(); turn++)
    await new Promise((resolve) => setImmediate(resolve));
  return done();
}
