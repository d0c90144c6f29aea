// The same "first painted frame" mark the VisitDesk console sets, for a fair comparison.
requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("visitdesk:console-painted")));
