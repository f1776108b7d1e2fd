/* libnk: the umbrella header. Include this, or one module's header. */
#ifndef NK_NK_H
#define NK_NK_H

#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"
#include "nk/buf.h"
#include "nk/text.h"
#include "nk/conn.h"
#include "nk/url.h"
#include "nk/tls.h"
#include "nk/x509.h"
#include "nk/chain.h"
#include "nk/tlsprobe.h"
#include "nk/revoke.h"
#include "nk/telnet.h"
#include "nk/net.h"
#include "nk/http.h"
#include "nk/cookie.h"
#include "nk/fetch.h"
#include "nk/multipart.h"
#include "nk/netrc.h"
#include "nk/ws.h"
#include "nk/task.h"

#endif
