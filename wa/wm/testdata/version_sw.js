/* service worker (shape: see PROTOCOL.md, "WhatsApp Web version") */
self.__swData=JSON.parse("{\"dynamic_data\":{\"SiteData\":{\"server_revision\":1088888888,\"client_revision\":1088888888}}}");
importScripts("/sw-core.js");
