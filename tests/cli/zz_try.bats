load ../lib/common
load ../lib/http
setup_file() { NGINX_CONF_IN=$SERVERS_DIR/nginx_h2.conf.in start_nginx; }
teardown_file() { stop_nginx; }
@test "try" {
  head -c 5000000 /dev/urandom > $NGINX_DIR/www/5m.bin
  head -c 100000 $NGINX_DIR/www/5m.bin | nk-http $(NKR) -v -T - https://nk.test:$NGINX_SPORT/dav/up2.bin -w '%{http_code} %{http_version}\n' >&3 2>&3 || echo rc=$? >&3
  cat $NGINX_DIR/www/5m.bin | nk-http $(NKR) -T - https://nk.test:$NGINX_SPORT/dav/up3.bin -w '%{http_code} %{http_version}\n' >&3 2>&3 || echo rc=$? >&3
  cat $NGINX_DIR/www/5m.bin | curl -k --http2 -T - https://127.0.0.1:$NGINX_SPORT/dav/up4.bin -w '%{http_code} %{http_version}\n' >&3 2>&3 || echo rc=$? >&3
  cat $NGINX_DIR/error.log >&3
}
