/* The page of --web (top-page.html), embedded as top_page..top_page_end. */
	.section .rodata
	.global top_page
	.global top_page_end
top_page:
	.incbin "top-page.html"
top_page_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
