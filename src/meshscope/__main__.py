from meshscope.cli.main import app

app()
