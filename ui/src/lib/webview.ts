/** Whether this webview can run video calls itself. Debian's WebKitGTK has no
 * RTCPeerConnection, so calls there open in the system browser. */
export function canRunCallsInWindow(scope: object = globalThis): boolean {
  return typeof (scope as { RTCPeerConnection?: unknown }).RTCPeerConnection === "function";
}
