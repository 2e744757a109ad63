// The raw TCP terminal's choices (terminal.html), kept out of the page so js/test/demo.test.mjs runs them
// through the bridge: where to connect (an address, or a named endpoint the operator configured) and
// what the terminal shows when it connected or failed.

/**
 * The TCPSocket constructor's arguments for the form's choice: `{ by: 'address', host, port }` or
 * `{ by: 'endpoint', endpoint }`. A blank field is a TypeError naming it.
 */
export function socketArguments(target, options = {}) {
  if (target.by === 'endpoint') {
    const endpoint = String(target.endpoint ?? '').trim();
    if (endpoint === '') throw new TypeError('give the name of an endpoint the operator configured');
    return [undefined, undefined, { ...options, endpoint }];
  }
  const host = String(target.host ?? '').trim();
  if (host === '') throw new TypeError('give a host name or IP address');
  return [host, Number(target.port), options];
}

/** The line shown once `opened` resolved: the address the connection went to (the operator's, for an endpoint). */
export function connectedLine(target, { remoteAddress, remotePort }) {
  const where = `${remoteAddress}:${remotePort}`;
  return target.by === 'endpoint' ? `-- connected to endpoint ${target.endpoint.trim()} (${where})\n` : `-- connected to ${where}\n`;
}

/** The line shown for an error, with what the user can do about the usual ones. */
export function errorLine(err) {
  const hints = {
    NotFoundError: 'the gateway has no endpoint of that name: check the name, or ask the operator to configure it',
    NotAllowedError: "the gateway's policy does not let this page reach it (or the token is not accepted)",
  };
  const hint = hints[err?.name];
  return `-- ${err?.name ?? 'Error'}: ${err?.message ?? err}${hint ? `\n   (${hint})` : ''}\n`;
}
