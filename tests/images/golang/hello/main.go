// A small HTTP client and server, standard library only, for shipshape's Go binary tests:
// it links net/http's client and server (so Go vulnerability database records naming
// those functions find them present) but not, for example, net/http/httputil's reverse
// proxy or crypto/tls's QUIC code (records naming only those find them absent).
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 1 {
		resp, err := http.Get(os.Args[1])
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println(resp.Status)
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	})
	fmt.Println(http.ListenAndServe(":8080", nil))
}
