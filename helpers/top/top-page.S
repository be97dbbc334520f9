/* The page of --web (top-page.html), embedded: top_page, top_page_size. */
	.section .rodata
	.global top_page
	.global top_page_size
top_page:
	.incbin "top-page.html"
top_page_end:
	.byte 0
	.balign 8
top_page_size:
	.quad top_page_end - top_page
	.section .note.GNU-stack,"",@progbits
