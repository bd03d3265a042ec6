module example.com/hello-deps

go 1.21

require example.com/quotes v1.2.0

require example.com/strutil v0.3.1

replace example.com/quotes => ./third_party/quotes
