// Must not compile: the event type is not in the catalog.
import { Herald } from 'herald-client';

const herald = new Herald({ url: 'http://localhost:8080' });
herald.on('order:craeted', (event) => console.log(event.seq));
