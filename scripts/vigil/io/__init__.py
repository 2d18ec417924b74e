"""Reading user inputs (WAV, images) with one-line errors that name the file."""
