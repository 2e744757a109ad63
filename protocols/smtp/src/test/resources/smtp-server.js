// Test peer: the npm smtp-server package (independent implementation), configured by a JSON
// argument (host: the listening address, default 127.0.0.1). Prints "LISTENING <port>" when ready and "MESSAGE <json>" per accepted message.
// Recipients starting with "temp" get 451, with "perm" get 550 (scripted per-recipient results).
const { SMTPServer } = require('smtp-server');
const fs = require('fs');
const crypto = require('crypto');

const cfg = JSON.parse(process.argv[2]);
let count = 0;

function fail(code, text) {
  const e = new Error(text);
  e.responseCode = code;
  return e;
}

const opts = {
  disableReverseLookup: true,
  logger: false,
  secure: !!cfg.implicitTls,
  hideSTARTTLS: !!cfg.hideStartTls,
  authOptional: !cfg.authRequired,
  allowInsecureAuth: !!cfg.allowInsecureAuth,
  authMethods: cfg.authMethods || ['PLAIN', 'LOGIN'],
  size: cfg.size || 0,
  hideENHANCEDSTATUSCODES: false,
  onAuth(auth, session, cb) {
    if (auth.username === cfg.user && auth.password === cfg.password) {
      cb(null, { user: auth.username });
    } else {
      cb(fail(535, '5.7.8 Authentication credentials invalid'));
    }
  },
  onRcptTo(address, session, cb) {
    const a = address.address;
    if (a.startsWith('temp')) return cb(fail(451, '4.2.1 Mailbox busy, try again later'));
    if (a.startsWith('perm')) return cb(fail(550, '5.1.1 No such user here'));
    cb();
  },
  onData(stream, session, cb) {
    const hash = crypto.createHash('sha256');
    let size = 0;
    const kept = [];
    let keptBytes = 0;
    const keep = cfg.keepBytes || 65536;
    stream.on('data', (chunk) => {
      hash.update(chunk);
      size += chunk.length;
      if (keptBytes < keep) {
        kept.push(chunk);
        keptBytes += chunk.length;
      }
    });
    stream.on('end', () => {
      if (stream.sizeExceeded) return cb(fail(552, '5.3.4 Message too big for this server'));
      const record = {
        from: session.envelope.mailFrom.address,
        mailArgs: session.envelope.mailFrom.args || {},
        rcpt: session.envelope.rcptTo.map((r) => r.address),
        size,
        sha256: hash.digest('hex'),
        body: size <= keep ? Buffer.concat(kept).toString('base64') : null,
        secure: !!session.secure,
        user: session.user || null,
      };
      console.log('MESSAGE ' + JSON.stringify(record));
      cb(null, '2.0.0 Queued as ' + ++count);
    });
  },
};
if (cfg.key) {
  opts.key = fs.readFileSync(cfg.key);
  opts.cert = fs.readFileSync(cfg.cert);
}
const server = new SMTPServer(opts);
server.on('error', (e) => console.log('ERROR ' + e.message));
server.listen(cfg.port || 0, cfg.host || '127.0.0.1', () => console.log('LISTENING ' + server.server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
