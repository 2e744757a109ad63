// Test peer (NodeSmtpPeer) of EndpointGatewayProcessIT and ChurnProcessIT: the npm smtp-server package (an independent SMTP
// implementation) on 127.0.0.1, an ephemeral port, STARTTLS with the test certificate.
// Argument: JSON {"key": path, "cert": path}. Prints "LISTENING <port>" when ready and
// "MESSAGE <json>" per accepted message (helo: the name the client greeted with); ends when its stdin closes.
const { SMTPServer } = require('smtp-server');
const fs = require('fs');

const cfg = JSON.parse(process.argv[2]);
const server = new SMTPServer({
  disableReverseLookup: true,
  logger: false,
  authOptional: true,
  key: fs.readFileSync(cfg.key),
  cert: fs.readFileSync(cfg.cert),
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      console.log('MESSAGE ' + JSON.stringify({
        from: session.envelope.mailFrom.address,
        rcpt: session.envelope.rcptTo.map((r) => r.address),
        secure: !!session.secure,
        subject: (body.match(/^Subject: (.*)$/m) || [null, null])[1],
        helo: session.hostNameAppearsAs,
      }));
      cb(null, '2.0.0 Queued');
    });
  },
});
server.on('error', (e) => console.log('ERROR ' + e.message));
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
