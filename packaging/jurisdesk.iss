; Inno Setup script for the Windows installer of Jurisdesk (Inno Setup 6).
; Packs the one-folder bundle dist\Jurisdesk (built on Windows from build_installer.spec) into
; dist\Jurisdesk-<version>-setup.exe. See docs/installing.md ("Building it yourself").
;
;   iscc /DAppVersion=1.0.0 packaging\jurisdesk.iss
;
; Silent installation for software deployment (no window, no questions, no restart):
;   Jurisdesk-1.0.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS
;   optional: /DIR="C:\Program Files\Jurisdesk" /LOG="C:\Windows\Temp\jurisdesk-setup.log"
;             /TASKS="desktopicon" (a desktop shortcut; none by default)
; Silent removal (the program folder only; databases, settings and logs stay):
;   "C:\Program Files\Jurisdesk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "1.0.0"
#endif

[Setup]
; The AppId identifies the installation for upgrades: never change it.
AppId={{6F0C1C0B-7E61-4E0E-9C52-0A6B3E2D8B11}
AppName=Jurisdesk
AppVersion={#AppVersion}
AppVerName=Jurisdesk {#AppVersion}
AppPublisher=Jurisdesk
DefaultDirName={autopf}\Jurisdesk
DefaultGroupName=Jurisdesk
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
LicenseFile=..\LICENSE.txt
SetupIconFile=..\resources\icons\jurisdesk.ico
UninstallDisplayIcon={app}\Jurisdesk.exe
UninstallDisplayName=Jurisdesk {#AppVersion}
OutputDir=..\dist
OutputBaseFilename=Jurisdesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade closes running copies first (they would keep the old files in use).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program folder's contents: no file of the old version is left over.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\Jurisdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Jurisdesk"; Filename: "{app}\Jurisdesk.exe"
Name: "{autodesktop}\Jurisdesk"; Filename: "{app}\Jurisdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Jurisdesk.exe"; Description: "{cm:LaunchProgram,Jurisdesk}"; Flags: nowait postinstall skipifsilent

; Nothing under [UninstallDelete]: the uninstaller removes only what it installed. The
; databases (%LOCALAPPDATA%\Jurisdesk\Jurisdesk or where IT put them), their backups folders,
; the settings (HKCU\Software\Jurisdesk\Jurisdesk) and the logs are kept.
