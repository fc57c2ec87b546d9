// The interop peer: a service written with the official OpenTelemetry Go SDK, so that
// stepmark's W3C propagation is checked against an implementation nobody here wrote.
//
// Protocol (one line each, on stdout): `PORT <n>` once listening on 127.0.0.1; `SPAN <json>` for
// every finished span; `RESULT <json>` after each `CALL <url>` read from stdin. GET /callback
// continues the caller's trace (otelhttp) and answers with the baggage it received. Stdin EOF or
// SIGTERM flushes the spans and exits 0.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

var stdout sync.Mutex // the test parses lines: writes from the server goroutines must not interleave

func emit(kind string, v any) {
	b, _ := json.Marshal(v)
	stdout.Lock()
	defer stdout.Unlock()
	fmt.Fprintf(os.Stdout, "%s %s\n", kind, b)
}

// lineExporter prints each span as it ends (registered with WithSyncer, not batched), so the
// test can wait for a span's line instead of for a flush interval.
type lineExporter struct{}

func (lineExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	for _, s := range spans {
		attrs := map[string]any{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.AsInterface()
		}
		parent := ""
		if s.Parent().IsValid() {
			parent = s.Parent().SpanID().String()
		}
		emit("SPAN", map[string]any{
			"name":           s.Name(),
			"trace_id":       s.SpanContext().TraceID().String(),
			"span_id":        s.SpanContext().SpanID().String(),
			"parent_span_id": parent,
			"kind":           s.SpanKind().String(),
			"attributes":     attrs,
		})
	}
	return nil
}

func (lineExporter) Shutdown(context.Context) error { return nil }

// callback answers with the baggage otelhttp extracted, so the test sees what arrived.
func callback(w http.ResponseWriter, r *http.Request) {
	received := baggage.FromContext(r.Context()).String()
	trace.SpanFromContext(r.Context()).SetAttributes(attribute.String("peer.baggage", received))
	_, _ = io.WriteString(w, received)
}

// call starts a new trace with a CLIENT span and calls url with its traceparent and baggage.
// Injected by hand (no otelhttp transport) so the callee's parent is exactly this span.
func call(tracer trace.Tracer, url string) {
	stepmark, _ := baggage.NewMemberRaw("stepmark", "1")
	tenant, _ := baggage.NewMemberRaw("tenant", "acme")
	bag, _ := baggage.New(stepmark, tenant)
	ctx := baggage.ContextWithBaggage(context.Background(), bag)
	ctx, span := tracer.Start(ctx, "interop.call", trace.WithNewRoot(),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attribute.String("url.full", url)))
	result := map[string]any{"trace_id": span.SpanContext().TraceID().String()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err == nil {
		otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(req.Header))
		var resp *http.Response
		if resp, err = http.DefaultClient.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			result["status"], result["body"] = resp.StatusCode, string(body)
			span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
		}
	}
	if err != nil {
		result["error"] = err.Error()
	}
	span.End() // before RESULT: the client span's line is always printed first
	emit("RESULT", result)
}

func main() {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(lineExporter{}))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{}))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.Handle("/callback", otelhttp.NewHandler(http.HandlerFunc(callback), "GET /callback"))
	server := &http.Server{Handler: mux}
	go func() { _ = server.Serve(ln) }()
	stdout.Lock()
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	stdout.Unlock()

	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			_ = server.Shutdown(context.Background())
			_ = tp.Shutdown(context.Background())
			os.Exit(0)
		})
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-signals; shutdown() }()

	tracer := tp.Tracer("stepmark-otel/interop-peer")
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(strings.TrimSpace(lines.Text()), "CALL "); ok {
			call(tracer, url)
		}
	}
	shutdown()
}
