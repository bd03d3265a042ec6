module example.com/cgreet

go 1.22
