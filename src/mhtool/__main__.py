from mhtool.cli.app import main

main()
