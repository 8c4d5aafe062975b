// REST and OpenAI-compatible HTTP endpoints, as plain functions of a request (no sockets here).
#pragma once

#include "server/http_types.h"
#include "server/server.h"

namespace tektra {

// Routes and answers one request. Never throws: failures become error responses. May block
// (transcription, synthesis), so callers run it off the I/O threads.
HttpResponse handle_http(const HttpRequest& request, ServerServices& services);

}  // namespace tektra
