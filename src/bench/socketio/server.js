// The Socket.IO 4.8 peer of Herald's benchmark: a client joins a room per event type with
// emit("subscribe", type); POST /api/events ({type, data}) broadcasts {id, type, ts, seq, data} as the
// event "event" to that room (Socket.IO encodes a broadcast once for all its sockets); GET /health answers 200.
// Same HTTP shape as Herald's publish API and StockBridgeServer, so the bench's driver drives every target alike.
// node server.js <port>
'use strict';
const http = require('http');
const crypto = require('crypto');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 3000);
let seq = 0;

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"UP"}');
    return;
  }
  if (req.method === 'POST' && req.url === '/gc' && global.gc) {
    // the bench's "after full GC" for this peer too (node --expose-gc): a full collection, as jcmd GC.run for the JVMs
    global.gc();
    res.writeHead(200);
    res.end();
    return;
  }
  if (req.method === 'POST' && req.url === '/api/events') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(400);
        res.end();
        return;
      }
      const envelope = { id: crypto.randomUUID(), type: event.type, ts: Date.now(), seq: ++seq, data: event.data };
      io.to(event.type).emit('event', envelope);
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: envelope.id, seq: envelope.seq }));
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

// defaults otherwise (pingInterval 25 s, pingTimeout 20 s, no per-message deflate); the driver speaks the websocket transport only
const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket) => {
  socket.on('subscribe', (type) => socket.join(String(type)));
});

httpServer.listen(port, '127.0.0.1', () => console.log('socket.io ' + require('socket.io/package.json').version + ' peer up on port ' + port));
process.on('SIGTERM', () => process.exit(0));
