module github.com/ringo-sip/ringo

go 1.26
