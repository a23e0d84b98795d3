// Must not compile: the event type is not in the catalog.
import { useEvent } from 'herald-client/react';

export function Payments() {
  useEvent('payment:recieved', (event) => console.log(event.seq));
  return null;
}
