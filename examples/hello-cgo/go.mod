module example.com/hello-cgo

go 1.22

require example.com/cgreet v1.0.0
